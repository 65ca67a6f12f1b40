"""Make the two PDF samples (run by hand: python tests/written/make_pdfs.py; needs fpdf2 and the DejaVu font).

sample_submissions/written_pdf_text_layer/theory.pdf: correct Fall 2020 answers as a LaTeX-made PDF's text layer
reads, math flattened (W(1)x + b(1), ∥ˆy − y∥2, (...)+, z1).
sample_submissions/written_pdf_scan/theory.pdf: a page of strokes and no text at all, like a scan.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parents[2] / "sample_submissions"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

LINES = """Homework 1 - theory
1.1 (a)
1. Forward pass: compute the prediction ˆy = model(x).
2. Compute the loss between ˆy and y.
3. Zero the gradients with optimizer.zero_grad().
4. Backward pass: loss.backward() computes the gradients.
5. Update the parameters with optimizer.step().
1.1 (b)
z1 = W(1)x + b(1)
z2 = (W(1)x + b(1))+
z3 = W(2)z2 + b(2)
ˆy = z3
ℓ = 1/2 ∥ˆy − y∥2
1.1 (c)
∂ℓ/∂W(1) = (W(2)ᵀ(ˆy − y) ⊙ 1[z1 > 0]) xᵀ
∂ℓ/∂b(1) = W(2)ᵀ(ˆy − y) ⊙ 1[z1 > 0]
∂ℓ/∂W(2) = (ˆy − y) z2ᵀ
∂ℓ/∂b(2) = ˆy − y
1.1 (d)
∂z2/∂z1 = diag(1[z1 > 0])
∂ˆy/∂z3 = I
∂ℓ/∂ˆy = ˆy − y
1.2 (a)
z1 = W(1)x + b(1)
z2 = σ(z1)
z3 = W(2)z2 + b(2)
ˆy = σ(z3)
ℓ = 1/2 ∥ˆy − y∥2
∂ℓ/∂W(1) = (W(2)ᵀ((ˆy − y) ⊙ σ(z3) ⊙ (1 − σ(z3))) ⊙ σ(z1) ⊙ (1 − σ(z1))) xᵀ
∂ℓ/∂b(1) = W(2)ᵀ((ˆy − y) ⊙ σ(z3) ⊙ (1 − σ(z3))) ⊙ σ(z1) ⊙ (1 − σ(z1))
∂ℓ/∂W(2) = ((ˆy − y) ⊙ σ(z3) ⊙ (1 − σ(z3))) z2ᵀ
∂ℓ/∂b(2) = (ˆy − y) ⊙ σ(z3) ⊙ (1 − σ(z3))
∂z2/∂z1 = diag(σ(z1) ⊙ (1 − σ(z1)))
∂ˆy/∂z3 = diag(σ(z3) ⊙ (1 − σ(z3)))
∂ℓ/∂ˆy = ˆy − y
1.2 (b)
z1 = W(1)x + b(1)
z2 = σ(z1)
z3 = W(2)z2 + b(2)
ˆy = σ(z3)
ℓ = −∑k [yk log ˆyk + (1 − yk) log(1 − ˆyk)]
∂ℓ/∂W(1) = (W(2)ᵀ(ˆy − y) ⊙ σ(z1) ⊙ (1 − σ(z1))) xᵀ
∂ℓ/∂b(1) = W(2)ᵀ(ˆy − y) ⊙ σ(z1) ⊙ (1 − σ(z1))
∂ℓ/∂W(2) = (ˆy − y) z2ᵀ
∂ℓ/∂b(2) = ˆy − y
∂z2/∂z1 = diag(σ(z1) ⊙ (1 − σ(z1)))
∂ˆy/∂z3 = diag(σ(z3) ⊙ (1 − σ(z3)))
∂ℓ/∂ˆy = (ˆy − y)/(ˆy ⊙ (1 − ˆy))
1.2 (c)
The sigmoid's derivative is at most 1/4, so gradients vanish through many layers; ReLU's derivative is 1
for positive inputs, its activations are sparse, and it is cheaper to compute than an exponential.
"""


def text_layer(path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=10)
    for line in LINES.splitlines():
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def scan(path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    for i in range(30):  # strokes of "handwriting", no text
        y = 20 + 8 * i
        pdf.line(20, y, 60 + (i * 37) % 120, y + 2)
    pdf.output(str(path))


if __name__ == "__main__":
    text_layer(ROOT / "written_pdf_text_layer" / "theory.pdf")
    scan(ROOT / "written_pdf_scan" / "theory.pdf")
