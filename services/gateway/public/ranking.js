// 年度考核排名: the newest published round (GetRound "evaluationRounds/{year}", from next year
// back) or ?year=Y, its excellent institutions and the whole ranking (ListRanking).
"use strict";

(() => {
  const Z = Zhigai;
  const { el } = Z;

  async function publishedRound() {
    const asked = Number(Z.param("year"));
    const years = asked ? [asked] : [0, 1, 2, 3, 4].map((i) => Z.thisYear() + 1 - i);
    for (const y of years) {
      try {
        const round = await Z.call("zhigai.evaluation.v1.EvaluationService/GetRound",
          { name: `evaluationRounds/${y}` });
        if (round.state === "PUBLISHED") return round;
      } catch (err) {
        // Not found or not yet published: try the year before.
        if (!(err instanceof Z.ApiError) || asked) throw err;
      }
    }
    return null;
  }

  function row(e) {
    const ranked = (e.rank || 0) > 0;
    return el("tr", { "data-credit-code": e.creditCode, "data-rank": e.rank || 0,
      class: e.excellent ? "excellent" : null },
    el("td", { class: "num" }, ranked ? String(e.rank) : "—"),
    el("td", {}, e.displayName || ""),
    el("td", { class: "code hide-narrow" }, e.creditCode),
    el("td", { class: "num total" }, ranked ? e.total : ""),
    el("td", { class: "num hide-narrow" }, ranked ? e.s1 : ""),
    el("td", { class: "num hide-narrow" }, ranked ? e.s2 : ""),
    el("td", { class: "num hide-narrow" }, ranked ? e.s3 : ""),
    el("td", {}, e.excellent ? el("span", { class: "badge good" }, "优秀")
      : (e.exclusion && e.exclusion.reason ? `不参与排名：${e.exclusion.reasonZh || e.exclusion.reason}` : "")));
  }

  async function load() {
    try {
      const round = await publishedRound();
      if (!round) {
        Z.status("暂无已公布的考核结果 (no published ranking yet)");
        Z.ready();
        return;
      }
      document.getElementById("year").value = round.year;
      const entries = await Z.listAll("zhigai.evaluation.v1.EvaluationService/ListRanking",
        { parent: round.name }, "entries");
      const excellent = entries.filter((e) => e.excellent);
      document.getElementById("round").replaceChildren(el("p", { class: "summary" },
        `${round.year} 年度考核（项目年度 ${round.projectsYear}），`,
        `公布于 ${(round.publishTime || "").slice(0, 10)}；参与考核 `,
        el("output", { id: "ranked-count" }, String(entries.filter((e) => e.rank > 0).length)),
        " 家，优秀服务机构 ",
        el("output", { id: "excellent-count" }, String(excellent.length)), " 家。"));
      document.getElementById("excellent").replaceChildren(excellent.length
        ? el("ol", { class: "excellent" }, excellent.map((e) =>
          el("li", { value: e.rank, "data-credit-code": e.creditCode }, `${e.displayName}（${e.total} 分）`)))
        : el("p", {}, "无"));
      document.getElementById("ranking").replaceChildren(Z.table(
        `${round.year} 年度服务机构考核排名（总分100分）`,
        ["排名", "机构名称", "统一社会信用代码", "总分", "业务绩效", "企业评价", "答辩", "备注"],
        entries.map(row)));
      Z.status(`已显示 ${round.year} 年度排名 (ranking of ${round.year})`);
    } catch (err) {
      Z.status(Z.explain(err), "error");
    }
    Z.ready();
  }

  document.getElementById("filters").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const y = document.getElementById("year").value;
    history.pushState(null, "", y ? `?year=${encodeURIComponent(y)}` : "?");
    load();
  });
  window.addEventListener("popstate", load);
  load();
})();
