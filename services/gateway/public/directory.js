// 服务机构名录: ListDirectoryEntries with the form's filters (year, level, county, direction);
// the name / credit code search runs over the fetched entries. The filters live in the URL,
// so a search can be bookmarked and shared.
"use strict";

(() => {
  const Z = Zhigai;
  const { el } = Z;
  const form = document.getElementById("filters");
  const division = document.getElementById("division");
  for (const [code, zh, en] of Z.DIVISIONS.slice(1)) {
    division.append(el("option", { value: code }, `${zh} (${en})`));
  }

  function filters() {
    return {
      year: Number(Z.param("year")) || Z.thisYear(),
      level: Z.param("level"),
      division: Z.param("division"),
      direction: Z.param("direction"),
      q: Z.param("q").trim(),
    };
  }

  function entryRow(e) {
    return el("tr", { "data-credit-code": e.creditCode },
      el("td", {}, e.institutionDisplayName || ""),
      el("td", { class: "code" }, e.creditCode),
      el("td", {}, Z.DIRECTION[e.direction] || e.direction),
      el("td", {}, Z.LEVEL[e.level] || e.level),
      el("td", {}, e.level === "COUNTY" ? (Z.DIVISION_NAME[e.divisionCode] || e.divisionCode) : "温州市"));
  }

  async function showEntries(f) {
    const request = { year: f.year };
    if (f.level) request.level = f.level;
    if (f.division) request.divisionCode = f.division;
    if (f.direction) request.direction = f.direction;
    let entries = await Z.listAll("zhigai.registry.v1.RegistryService/ListDirectoryEntries",
      request, "entries");
    if (f.q) {
      const q = f.q.toUpperCase();
      entries = entries.filter((e) => (e.institutionDisplayName || "").toUpperCase().includes(q)
        || (e.creditCode || "").includes(q));
    }
    entries.sort((a, b) => (a.level || "").localeCompare(b.level || "")
      || (a.divisionCode || "").localeCompare(b.divisionCode || "")
      || (a.institutionDisplayName || "").localeCompare(b.institutionDisplayName || "", "zh-CN"));
    const count = document.getElementById("count");
    count.textContent = String(entries.length);
    count.dataset.count = String(entries.length);
    const results = document.getElementById("results");
    results.replaceChildren(entries.length === 0
      ? el("p", {}, "没有符合条件的名录记录 (no entries match)")
      : Z.table(`${f.year} 年度名录`, ["机构名称", "统一社会信用代码", "业务方向", "名录层级", "区县"],
        entries.map(entryRow)));
    return entries;
  }

  async function showFilings(f, entries) {
    const request = { year: f.year };
    if (f.division) request.divisionCode = f.division;
    const filings = await Z.listAll("zhigai.registry.v1.RegistryService/ListCountyFilings",
      request, "filings");
    const names = Object.fromEntries(entries.map((e) => [e.creditCode, e.institutionDisplayName]));
    const box = document.getElementById("filings");
    if (filings.length === 0) {
      box.replaceChildren(el("p", {}, "本年度暂无区县名录备案 (no county filings)"));
      return;
    }
    // filed_by names a person: never shown.
    box.replaceChildren(...filings.map((fl) => el("section", { class: "card" },
      el("h3", {}, Z.DIVISION_NAME[fl.divisionCode] || fl.divisionCode),
      el("p", { class: "meta" }, `备案时间 ${(fl.fileTime || "").slice(0, 10)} · ${(fl.items || []).length} 家机构`),
      el("p", {}, "遴选标准：", fl.selectionCriteria || ""),
      el("ul", {}, (fl.items || []).map((it) => el("li", {},
        `${names[it.creditCode] || it.creditCode}（${(it.directions || []).map((d) => Z.DIRECTION[d] || d).join("、")}）`))))));
  }

  async function load() {
    const f = filters();
    document.getElementById("year").value = f.year;
    document.getElementById("level").value = f.level;
    division.value = f.division;
    document.getElementById("direction").value = f.direction;
    document.getElementById("q").value = f.q;
    Z.status("正在加载… (loading)");
    try {
      const entries = await showEntries(f);
      await showFilings(f, entries);
      Z.status(`已显示 ${f.year} 年度名录 (directory of ${f.year})`);
    } catch (err) {
      Z.status(Z.explain(err), "error");
    }
    Z.ready();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) {
      if (String(v).trim()) params.set(k, String(v).trim());
    }
    history.pushState(null, "", "?" + params.toString());
    load();
  });
  window.addEventListener("popstate", load);
  load();
})();
