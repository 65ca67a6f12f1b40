print("old version")
