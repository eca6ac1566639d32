// The public pages' only script: calls the gateway's own HTTP/JSON methods as an anonymous
// (PUBLIC) caller and builds the page with DOM methods (never innerHTML with data, so a name
// in the data cannot become markup). No framework, no build step.
"use strict";

const Zhigai = (() => {
  // data/divisions.tsv: the city and its twelve county-level divisions.
  const DIVISIONS = [
    ["330300", "温州市", "Wenzhou"], ["330302", "鹿城区", "Lucheng"],
    ["330303", "龙湾区", "Longwan"], ["330304", "瓯海区", "Ouhai"],
    ["330305", "洞头区", "Dongtou"], ["330324", "永嘉县", "Yongjia"],
    ["330326", "平阳县", "Pingyang"], ["330327", "苍南县", "Cangnan"],
    ["330328", "文成县", "Wencheng"], ["330329", "泰顺县", "Taishun"],
    ["330381", "瑞安市", "Rui'an"], ["330382", "乐清市", "Yueqing"],
    ["330383", "龙港市", "Longgang"],
  ];
  const DIVISION_NAME = Object.fromEntries(DIVISIONS.map(([c, zh]) => [c, zh]));
  const DIRECTION = { CONSULTING: "诊断咨询", TRAINING: "培训推广" };
  const LEVEL = { CITY: "市级名录", COUNTY: "县级名录" };

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = (body && body.code) || "unknown";
    }
  }

  // One unary call: POST /<package>.<Service>/<Method> with the request as JSON.
  async function call(method, request) {
    const resp = await fetch("/" + method, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request || {}),
      credentials: "omit",
    });
    let body = null;
    try {
      body = await resp.json();
    } catch (e) {
      body = null;
    }
    if (!resp.ok) throw new ApiError(resp.status, body);
    return body || {};
  }

  // Every page of a List method, following nextPageToken.
  async function listAll(method, request, field) {
    const out = [];
    let token = "";
    for (let guard = 0; guard < 200; guard++) {
      const page = await call(method, Object.assign({}, request, { pageSize: 1000, pageToken: token }));
      out.push(...(page[field] || []));
      token = page.nextPageToken || "";
      if (!token) break;
    }
    return out;
  }

  // el("td", {class: "num"}, "text", childNode, ...): a node with attributes and children.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function table(caption, headers, rows) {
    return el("table", {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows));
  }

  // A status line for people and assistive technology (role=status announces changes).
  function status(text, kind) {
    const box = document.getElementById("status");
    if (!box) return;
    box.textContent = text;
    box.className = kind ? "status " + kind : "status";
  }

  function explain(err) {
    if (err instanceof ApiError) {
      if (err.code === "unauthenticated") return "该信息暂未公开 (not public)";
      if (err.code === "not_found") return "未找到 (not found)";
      if (err.code === "resource_exhausted") return "访问过于频繁，请稍后重试 (too many requests)";
      return `出错了：${err.message}`;
    }
    return "无法连接服务器 (cannot reach the server)";
  }

  // Marks the page as fully rendered: for tests and for anyone scripting the pages.
  function ready() {
    document.body.dataset.ready = "1";
  }

  function param(name) {
    return new URLSearchParams(window.location.search).get(name) || "";
  }

  function thisYear() {
    return new Date().getFullYear();
  }

  return {
    DIVISIONS, DIVISION_NAME, DIRECTION, LEVEL, ApiError,
    call, listAll, el, table, status, explain, ready, param, thisYear,
  };
})();
