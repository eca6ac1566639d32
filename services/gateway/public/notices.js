// 遴选结果公示: every call that has had its public notice (ListCalls, then GetPublicNotice),
// newest first, with its objection period; or one call with ?call=calls/{id}.
"use strict";

(() => {
  const Z = Zhigai;
  const { el } = Z;

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function period(n) {
    const running = n.endDate >= today();
    return el("p", { class: "meta" },
      el("span", { class: running ? "badge open" : "badge done" },
        running ? "公示中 (notice running)" : "公示已结束 (notice ended)"),
      ` 公示期（异议期）${n.startDate} 至 ${n.endDate}`,
      running ? "，期内可提出异议" : "");
  }

  function scope(n) {
    return n.scope === "COUNTY" ? (Z.DIVISION_NAME[n.divisionCode] || n.divisionCode) : "温州市";
  }

  function notice(n) {
    const entries = (n.entries || []).slice().sort((a, b) =>
      (a.direction || "").localeCompare(b.direction || "")
      || Number(b.scoreHundredths || 0) - Number(a.scoreHundredths || 0));
    const rows = entries.map((e) => el("tr", { "data-credit-code": e.creditCode },
      el("td", {}, e.displayName || "",
        (e.consortiumMembers || []).length
          ? el("div", { class: "meta" }, "联合体成员：",
            e.consortiumMembers.map((m) => m.displayName || m.creditCode).join("、"))
          : null),
      el("td", { class: "code" }, e.creditCode),
      el("td", {}, Z.DIRECTION[e.direction] || e.direction),
      el("td", { class: "num" }, (Number(e.scoreHundredths || 0) / 100).toFixed(2))));
    return el("section", { class: "card", "data-call": n.call },
      el("h2", {}, n.callDisplayName || n.call),
      el("p", { class: "meta" }, `${n.year} 年度 · ${scope(n)} · 入选 ${entries.length} 家`),
      period(n),
      Z.table("入选名单 (selected)", ["单位名称", "统一社会信用代码", "业务方向", "评审得分"], rows));
  }

  async function callsWithNotice() {
    const one = Z.param("call");
    if (one) return [one];
    const calls = await Z.listAll("zhigai.review.v1.ReviewService/ListCalls", {}, "calls");
    return calls.filter((c) => c.noticeStartDate)
      .sort((a, b) => (b.noticeStartDate || "").localeCompare(a.noticeStartDate || ""))
      .map((c) => c.name);
  }

  async function load() {
    const box = document.getElementById("notices");
    try {
      const names = await callsWithNotice();
      const notices = [];
      for (const name of names) {
        notices.push(await Z.call("zhigai.review.v1.ReviewService/GetPublicNotice", { call: name }));
      }
      box.replaceChildren(...notices.map(notice));
      Z.status(notices.length ? `共 ${notices.length} 项公示 (notices)` : "暂无公示 (no notices)");
    } catch (err) {
      Z.status(Z.explain(err), "error");
    }
    Z.ready();
  }
  load();
})();
