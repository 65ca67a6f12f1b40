// The review page (grader/review/page.py): keyboard moves between groups, a decision is sent to the page's own
// server with the page's token, and the card it changed comes back rendered by the server.
"use strict";
(function () {
  const token = document.body.dataset.token;
  let current = 0;

  function cards() { return Array.from(document.querySelectorAll("section.card")); }

  function focusCard(i, scroll) {
    const all = cards();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((c, n) => c.classList.toggle("current", n === current));
    if (scroll !== false) all[current].scrollIntoView({ block: "nearest" });
  }

  function nextOpen(from) {
    const all = cards();
    for (let k = 1; k <= all.length; k++) {
      const i = (from + k) % all.length;
      if (all[i].classList.contains("open")) return i;
    }
    return from;
  }

  function cardOf(el) { return el.closest("section.card"); }

  async function post(path, body) {
    const res = await fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Review-Token": token },
      body: JSON.stringify(Object.assign({ token: token }, body)),
    });
    let data = null;
    try { data = await res.json(); } catch (err) { data = null; }
    if (!res.ok || !data || !data.ok) throw new Error((data && data.error) || ("the server said " + res.status));
    return data;
  }

  function show(card, text, kind) {
    const msg = card.querySelector(".msg");
    msg.textContent = text;
    msg.className = "msg " + (kind || "");
  }

  function picked(card) {
    return Array.from(card.querySelectorAll("input.pick:checked")).map((b) => b.dataset.entry);
  }

  function replace(card, data, advance) {
    const index = cards().indexOf(card);
    const holder = document.createElement("div");
    holder.innerHTML = data.card;
    const fresh = holder.firstElementChild;
    card.replaceWith(fresh);
    document.getElementById("progress").textContent = data.progress;
    focusCard(advance && fresh.classList.contains("decided") ? nextOpen(index) : index);
    if (data.message) show(fresh, data.message, "saved");
  }

  async function save(card) {
    const score = card.querySelector("input[name=score]");
    const comment = card.querySelector("input[name=comment]");
    const max = parseFloat(card.dataset.max);
    const value = score.value.trim();
    if (value === "" || isNaN(Number(value)) || Number(value) < 0 || Number(value) > max) {
      show(card, "Give a score from 0 to " + card.dataset.max + ".", "error");
      score.focus();
      return;
    }
    const entries = picked(card);
    if (!entries.length) { show(card, "Check at least one answer.", "error"); return; }
    show(card, "saving ...");
    try {
      const data = await post("api/decide", { group: card.dataset.group, item: card.dataset.item,
                                              entries: entries, score: value, comment: comment.value });
      if (document.activeElement) document.activeElement.blur();
      replace(card, data, true);
    } catch (err) { show(card, err.message, "error"); }
  }

  async function clear(card) {
    const entries = picked(card).filter((entry) => {
      const row = card.querySelector('input.pick[data-entry="' + CSS.escape(entry) + '"]').closest("tr");
      return !row.querySelector(".decision .left");
    });
    if (!entries.length) { show(card, "None of the checked answers has a decision to clear.", "error"); return; }
    try {
      replace(card, await post("api/clear", { group: card.dataset.group, item: card.dataset.item,
                                             entries: entries }), false);
    } catch (err) { show(card, err.message, "error"); }
  }

  document.addEventListener("submit", (ev) => {
    if (!ev.target.matches("form.decide")) return;
    ev.preventDefault();
    save(cardOf(ev.target));
  });

  document.addEventListener("click", (ev) => {
    const card = cardOf(ev.target);
    if (!card) return;
    focusCard(cards().indexOf(card), false);
    if (ev.target.matches("button.clear")) clear(card);
  });

  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    const typing = t.matches && t.matches("input[type=text], textarea");
    const card = cards()[current];
    if (ev.key === "Escape" && typing) { t.blur(); return; }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey || !card || t.matches("button")) return;
    if (ev.key === "j") focusCard(current + 1);
    else if (ev.key === "k") focusCard(current - 1);
    else if (ev.key === "n") focusCard(nextOpen(current));
    else if (/^[0-9]$/.test(ev.key)) {
      const score = card.querySelector("input[name=score]");
      score.value = ev.key;
      score.focus();
      score.setSelectionRange(score.value.length, score.value.length);
    } else if (ev.key === "c") card.querySelector("input[name=comment]").focus();
    else if (ev.key === "a") {
      const boxes = Array.from(card.querySelectorAll("input.pick"));
      const all = boxes.every((b) => b.checked);
      boxes.forEach((b) => { b.checked = !all; });
    } else if (ev.key === "Enter") save(card);
    else return;
    ev.preventDefault();
  });

  focusCard(Math.max(0, cards().findIndex((c) => c.classList.contains("open"))), false);
})();
