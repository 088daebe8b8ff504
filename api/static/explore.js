// The investigator's graph explorer (issue 4): search a subject, draw its neighbourhood, click to expand, find
// paths. Plain JS talking to /graphql with fetch; cytoscape (vendored) draws. Element ids are the graph's own
// keys (USCC, person id, entry id) so that tests and investigators can name them; `window.cy` is exposed.
"use strict";

(function () {
  const GRAPHQL = "/graphql";

  const ROLE = {
    LEGAL_REPRESENTATIVE: "法定代表人", PRINCIPAL: "主要负责人", ACTUAL_CONTROLLER: "实际控制人", DIRECTOR: "董事",
    SUPERVISOR: "监事", SENIOR_MANAGER: "高级管理人员", DIRECTLY_RESPONSIBLE: "直接责任人", SHAREHOLDER_OF: "持股",
    HAS_ENTRY: "信用记录",
  };
  const LIST_KIND = {
    DISHONEST_DEBTOR: "失信被执行人", BLACKLIST: "严重失信主体名单", FOCUS_LIST: "重点关注名单", RED_LIST: "红名单",
    ADMINISTRATIVE_PENALTY: "行政处罚",
  };
  const STATUS = {
    PROPOSED: "拟列入", EFFECTIVE: "有效", UNDER_OBJECTION: "异议中", REPAIRED: "已修复", EXPIRED: "已到期",
    REVOKED: "已撤销",
  };
  const SEVERITY = { MINOR: "轻微", GENERAL: "一般", SERIOUS: "严重", VERY_SERIOUS: "特别严重" };

  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const USCC_RE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

  // ------------------------------------------------------------------------------------------------ GraphQL

  // The API key (an investigator's: network queries are theirs) lives in this tab's sessionStorage only.
  const KEY_STORE = "creditgraph.apiKey";

  async function gql(query, variables) {
    const headers = { "content-type": "application/json", accept: "application/json" };
    const key = $("api-key").value.trim();
    if (key) headers.authorization = "Bearer " + key;
    const response = await fetch(GRAPHQL, {
      method: "POST", headers, body: JSON.stringify({ query, variables: variables || {} }),
    });
    let body;
    try {
      body = await response.json();
    } catch (err) {
      throw new Error(`HTTP ${response.status}`);
    }
    if (body.errors && body.errors.length) {
      const err = new Error(body.errors.map((e) => e.message).join("; "));
      err.code = (body.errors[0].extensions || {}).code;
      throw err;
    }
    return body.data;
  }

  function purpose() {
    return $("purpose").value.trim() || null;
  }

  function asOf() {
    return $("as-of").value || null;
  }

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  /** A SubjectRef from what an investigator typed or from a drawn node. */
  function refOf(text) {
    const key = String(text || "").trim();
    if (!key) return null;
    for (const id of [key, "O:" + key.toUpperCase(), "P:" + key]) {  // a drawn node's id or key
      const node = window.cy && cy.getElementById(id);
      if (node && node.nonempty() && node.data("kind") !== "ENTRY") return refOfNode(node);
    }
    return USCC_RE.test(key.toUpperCase()) ? { uscc: key.toUpperCase() } : { personId: key };
  }

  const refKey = (ref) => ref.uscc || ref.personId;
  // Drawing ids are the API's node ids: a kind prefix and the key (a person id could look like a USCC).
  const idOf = (ref) => (ref.uscc ? "O:" + ref.uscc : "P:" + ref.personId);
  const refOfNode = (node) => (node.data("kind") === "ORGANIZATION" ? { uscc: node.data("key") } : { personId: node.data("key") });

  // --------------------------------------------------------------------------- from the API to elements
  // Every adapter returns {nodes: [{id, kind, label, ...details}], edges: [{id, source, target, type, label,
  // ...details}], truncated}. Node kinds: ORGANIZATION, PERSON, ENTRY.

  function entryInForce(e, on) {
    if (typeof e.inForce === "boolean") return e.inForce;
    const day = on || today();
    const live = e.status === "EFFECTIVE" || e.status === "UNDER_OBJECTION";
    return live && (!e.start || e.start <= day) && (!e.end || day <= e.end);
  }

  function entryNode(e, on) {
    return {
      id: "E:" + e.entryId, key: e.entryId, kind: "ENTRY", label: LIST_KIND[e.kind] || e.kind, listKind: e.kind, status: e.status,
      severity: e.severity, reason: e.reason, start: e.start, end: e.end, actDate: e.actDate,
      department: e.department ? (e.department.name || e.department.code) : e.departmentCode || null,
      document: e.document ? [e.document.number, e.document.title].filter(Boolean).join(" ") : e.documentId || null,
      inForce: entryInForce(e, on),
    };
  }

  function orgNode(o) {
    return {
      id: "O:" + o.uscc, key: o.uscc, kind: "ORGANIZATION", label: o.name || o.uscc, name: o.name, uscc: o.uscc, status: o.status,
      category: o.category, division: o.division, province: o.province, established: o.established,
      registrationAuthority: o.registrationAuthority,
    };
  }

  function personNode(p) {
    return { id: "P:" + p.id, key: String(p.id), kind: "PERSON", label: p.name || String(p.id), name: p.name, idNumber: p.idNumber };
  }

  function ratioText(r) {
    if (r === null || r === undefined) return "";
    return (Math.round(r * 10000) / 100).toString() + "%";
  }

  function edgeLabel(type, e) {
    if (type === "SHAREHOLDER_OF") return "持股 " + ratioText(e.ratio);
    if (type === "HAS_ENTRY") return "";
    return e.title || ROLE[type] || type;
  }

  const ORG_FIELDS = "uscc name status category division province established registrationAuthority";
  const ENTRY_FIELDS = `entryId kind status severity reason start end actDate
    department { code name } document { documentId number title }`;

  /** `neighbourhood` (depth 1) of a subject, as elements; null when the subject is not in the graph. */
  async function neighbourhood(ref) {
    const on = asOf();
    let data;
    try {
      // `first` is left to the server's default node cap; `truncated` says when it was reached.
      data = await gql(`query($subject: SubjectRef!, $asOf: Date, $purpose: String) {
        neighbourhood(subject: $subject, depth: 1, asOf: $asOf, purpose: $purpose) {
          truncated nodeCap
          nodes { id kind key name depth inForce
                  organization { ${ORG_FIELDS} } person { id name idNumber } entry { ${ENTRY_FIELDS} } }
          edges { id type source target from to ratio title } } }`,
      { subject: ref, asOf: on, purpose: purpose() });
    } catch (err) {
      if (err.code === "NOT_FOUND") return null;
      throw err;
    }
    const n = data.neighbourhood;
    const nodes = n.nodes.map((x) => {
      let node;
      if (x.kind === "ORGANIZATION" && x.organization) node = orgNode(x.organization);
      else if (x.kind === "PERSON" && x.person) node = personNode(x.person);
      else if (x.kind === "LIST_ENTRY" && x.entry) node = entryNode(x.entry, on);
      else node = { kind: x.kind === "LIST_ENTRY" ? "ENTRY" : x.kind, label: x.name || x.key };
      node.id = x.id;
      node.key = x.key;
      if (node.kind === "ENTRY" && typeof x.inForce === "boolean") node.inForce = x.inForce;
      return node;
    });
    const edges = n.edges.map((e) => ({
      id: e.id, source: e.source, target: e.target, type: e.type, label: edgeLabel(e.type, e), from: e.from,
      to: e.to, ratio: e.ratio, title: e.title,
    }));
    return { nodes, edges, truncated: n.truncated, cap: n.nodeCap };
  }

  const PREFIX = { ORGANIZATION: "O:", PERSON: "P:", LIST_ENTRY: "E:" };

  /** `paths` between two subjects: each path as its nodes and hops (source/target already directed). */
  async function paths(from, to, maxHops) {
    const data = await gql(`query($from: SubjectRef!, $to: SubjectRef!, $maxHops: Int!, $asOf: Date, $purpose: String) {
      paths(from: $from, to: $to, maxHops: $maxHops, asOf: $asOf, purpose: $purpose) {
        length method truncated explanation
        paths { nodes { kind key name } relationships { type from to ratio forward } } } }`,
    { from, to, maxHops, asOf: asOf(), purpose: purpose() });
    const r = data.paths;
    return {
      length: r.length, explanation: r.explanation, truncated: r.truncated,
      paths: r.paths.map((p) => {
        const nodes = p.nodes.map((x) => ({
          id: PREFIX[x.kind] + x.key, key: x.key, kind: x.kind === "LIST_ENTRY" ? "ENTRY" : x.kind,
          label: x.name || x.key, name: x.name,
        }));
        const hops = p.relationships.map((rel, i) => {
          const [a, b] = rel.forward ? [nodes[i], nodes[i + 1]] : [nodes[i + 1], nodes[i]];
          return { source: a.id, target: b.id, type: rel.type, label: edgeLabel(rel.type, rel), ratio: rel.ratio,
                   from: rel.from, to: rel.to };
        });
        return { nodes, hops };
      }),
    };
  }

  const api = { neighbourhood, paths };

  // ------------------------------------------------------------------------------------------------ drawing

  const style = [
    { selector: "node", style: {
      label: "data(label)", "font-size": 12, color: "#1d2433", "text-wrap": "wrap", "text-max-width": 120,
      "font-family": getComputedStyle(document.documentElement).fontFamily, "min-zoomed-font-size": 6,
      "border-width": 2, "text-outline-color": "#fafbfc", "text-outline-width": 0,
    } },
    { selector: 'node[kind = "ORGANIZATION"]', style: {
      shape: "round-rectangle", width: 136, height: 46, "background-color": "#e8f0fb", "border-color": "#2f6db5",
      "text-valign": "center", "text-halign": "center", "text-max-width": 124, padding: 4,
    } },
    { selector: 'node[kind = "PERSON"]', style: {
      shape: "ellipse", width: 40, height: 40, "background-color": "#fff3dc", "border-color": "#c77800",
      "text-valign": "bottom", "text-margin-y": 5, "font-weight": 500,
    } },
    { selector: 'node[kind = "ENTRY"]', style: {
      shape: "diamond", width: 32, height: 32, "background-color": "#d5d8dc", "border-color": "#9aa0a6",
      "text-valign": "bottom", "text-margin-y": 4, "font-size": 11, color: "#5f6b7a",
    } },
    { selector: 'node[kind = "ENTRY"][?inForce]', style: {
      "background-color": "#d93025", "border-color": "#a31b12", color: "#a31b12", "font-weight": 600,
    } },
    { selector: 'node[kind = "ENTRY"][?inForce][listKind = "RED_LIST"]', style: {
      "background-color": "#1e8e3e", "border-color": "#136c2e", color: "#136c2e",
    } },
    { selector: 'node[kind != "ENTRY"]', style: { "border-style": "dashed" } },  // not expanded yet
    { selector: "node.expanded", style: { "border-style": "solid" } },
    { selector: "node.focus", style: { "border-width": 4 } },
    { selector: "node:selected", style: { "border-color": "#0b57d0", "border-width": 5, "overlay-opacity": 0 } },
    { selector: "edge", style: {
      width: 1.6, "line-color": "#8a94a3", "target-arrow-color": "#8a94a3", "target-arrow-shape": "triangle",
      "arrow-scale": 0.9, "curve-style": "bezier", label: "data(label)", "font-size": 10.5, color: "#4a5565",
      "text-background-color": "#fafbfc", "text-background-opacity": 0.9, "text-background-padding": 2,
      "text-rotation": "none", "font-family": getComputedStyle(document.documentElement).fontFamily,
    } },
    { selector: 'edge[type = "SHAREHOLDER_OF"]', style: {
      "line-style": "dashed", "line-color": "#2f6db5", "target-arrow-color": "#2f6db5", color: "#2f6db5",
    } },
    { selector: 'edge[type = "HAS_ENTRY"]', style: { "line-color": "#c3c8cf", "target-arrow-shape": "none", width: 1.2 } },
    { selector: ".faded", style: { opacity: 0.18 } },
    { selector: "node.path", style: { "border-color": "#7b2ff7", "border-width": 4, "border-style": "solid" } },
    { selector: "edge.path", style: {
      "line-color": "#7b2ff7", "target-arrow-color": "#7b2ff7", width: 4.5, color: "#5a1fc0", "z-index": 10,
    } },
  ];

  const cy = cytoscape({
    container: $("cy"), style, elements: [], wheelSensitivity: 0.3, minZoom: 0.15, maxZoom: 3,
    boxSelectionEnabled: false, selectionType: "single",
  });
  window.cy = cy;

  let layoutRun = null;
  /** A force-directed layout of everything (the 重新布局 button). */
  function layout() {
    if (layoutRun) layoutRun.stop();
    layoutRun = cy.layout({
      name: "cose", animate: false, randomize: false, fit: true, padding: 60, nodeDimensionsIncludeLabels: true,
      idealEdgeLength: () => 120, nodeRepulsion: () => 120000, edgeElasticity: () => 80, gravity: 0.3,
      numIter: 1500, componentSpacing: 80, nodeOverlap: 20,
    });
    layoutRun.run();
  }

  const KIND_ORDER = { ORGANIZATION: 0, PERSON: 1, ENTRY: 2 };

  /** Place new nodes on an arc around `center`, facing away from what is already drawn (a full circle when
   *  nothing is): expanding a node fans its neighbours out and leaves the rest of the drawing where it was.
   *  Deterministic: by kind, then id. */
  function placeAround(center, nodes) {
    if (nodes.empty()) return;
    const c = center.position();
    const others = cy.nodes().not(nodes).not(center);
    let dx = 0, dy = 0;
    others.forEach((n) => { dx += c.x - n.position("x"); dy += c.y - n.position("y"); });
    const full = others.empty() || (Math.abs(dx) < 1 && Math.abs(dy) < 1);
    const count = nodes.length;
    const base = full ? -Math.PI / 2 : Math.atan2(dy, dx);
    const spread = full ? 2 * Math.PI : Math.min(Math.PI * 1.3, Math.max(Math.PI / 3, count * 0.5));
    const radius = Math.max(190, (count * 75) / spread);
    const sorted = nodes.sort((a, b) => (KIND_ORDER[a.data("kind")] - KIND_ORDER[b.data("kind")]) ||
                                          (a.id() < b.id() ? -1 : 1));
    sorted.forEach((n, i) => {
      const t = full ? i / count : (count === 1 ? 0.5 : i / (count - 1));
      const angle = full ? base + 2 * Math.PI * t : base - spread / 2 + spread * t;
      n.position({ x: c.x + radius * Math.cos(angle), y: c.y + radius * Math.sin(angle) });
    });
  }

  /** Add what `result` holds to the graph (existing elements keep their data, refreshed); the new nodes. */
  function merge(result) {
    const added = [];
    cy.batch(() => {
      for (const n of result.nodes) {
        const existing = cy.getElementById(n.id);
        if (existing.nonempty()) existing.data(Object.assign({}, existing.data(), n));
        else added.push(cy.add({ group: "nodes", data: n }));
      }
      for (const e of result.edges) {
        if (cy.getElementById(e.source).empty() || cy.getElementById(e.target).empty()) continue;
        const existing = cy.getElementById(e.id);
        if (existing.nonempty()) existing.data(Object.assign({}, existing.data(), e));
        else added.push(cy.add({ group: "edges", data: e }));
      }
    });
    return cy.collection(added).nodes();
  }

  function setStatus(text, kind) {
    const el = $("status");
    el.textContent = text;
    el.className = kind || "";
  }

  function counts() {
    return `${cy.nodes().length} 个节点 · ${cy.edges().length} 条关系`;
  }

  let busy = 0;
  async function withBusy(label, fn) {
    busy += 1;
    document.body.dataset.busy = "1";
    setStatus(label + "…");
    try {
      return await fn();
    } catch (err) {
      if (err.code === "FORBIDDEN" || err.code === "UNAUTHENTICATED") {
        setStatus("需要调查人员（INVESTIGATOR）的 API 密钥：" + err.message, "error");
        $("api-key").focus();
      } else {
        setStatus("出错：" + err.message, "error");
      }
      throw err;
    } finally {
      busy -= 1;
      if (!busy) delete document.body.dataset.busy;
    }
  }

  /** Draw (fresh) or merge (expand) the neighbourhood of a subject. */
  async function expand(ref, { fresh = false } = {}) {
    const key = refKey(ref);
    return withBusy("加载 " + key, async () => {
      const result = await api.neighbourhood(ref);
      if (!result) {
        setStatus("未找到：" + key, "warn");
        return;
      }
      if (fresh) {
        cy.elements().remove();
        showDetails(null);
      }
      const added = merge(result);
      const node = cy.getElementById(idOf(ref));
      node.addClass("expanded");
      if (fresh) {
        cy.nodes(".focus").removeClass("focus");
        node.addClass("focus");
      }
      if (fresh) node.position({ x: 0, y: 0 });
      placeAround(node, added);
      if (fresh) cy.fit(undefined, 70);
      else if (added.nonempty()) cy.animate({ fit: { eles: cy.elements(), padding: 70 } }, { duration: 250 });
      cy.$(":selected").unselect();
      node.select();
      showDetails(node);
      const note = result.truncated ? `（已截断：只显示前 ${result.cap} 个节点）` : "";
      setStatus(counts() + note, result.truncated ? "warn" : "");
      document.body.dataset.loaded = String((Number(document.body.dataset.loaded) || 0) + 1);
    });
  }

  // --------------------------------------------------------------------------------------------- details

  const row = (label, value) => (value === null || value === undefined || value === "" ? "" :
    `<dt>${esc(label)}</dt><dd>${esc(value)}</dd>`);
  const period = (d) => `${d.start || d.from || "—"} 至 ${d.end || d.to || "今"}`;

  function entryCard(d) {
    const live = d.inForce ? " live" : "";
    const red = d.listKind === "RED_LIST" ? " red" : "";
    return `<div class="entry-card${live}${red}" data-entry="${esc(d.key)}">
      <div class="head"><span>${esc(LIST_KIND[d.listKind] || d.listKind)}</span>
        <span class="state">${d.inForce ? "有效" : esc(STATUS[d.status] || d.status || "已失效")}</span></div>
      <div>${esc(d.reason || "")}</div>
      <div class="meta">认定部门：${esc(d.department || "—")}</div>
      <div class="meta">有效期：${esc(period(d))}${d.severity ? " · 严重程度：" + esc(SEVERITY[d.severity] || d.severity) : ""}</div>
      ${d.document ? `<div class="meta">依据：${esc(d.document)}</div>` : ""}
      <div class="meta">编号：${esc(d.key)}</div></div>`;
  }

  function showDetails(node) {
    const panel = $("details");
    if (!node || node.empty()) {
      panel.innerHTML = `<div class="placeholder"><p>单击节点查看详情。</p></div>`;
      return;
    }
    const d = node.data();
    let html = "";
    if (d.kind === "ENTRY") {
      const cls = "kind ENTRY" + (d.inForce ? " live" : "") + (d.listKind === "RED_LIST" ? " red" : "");
      html += `<h2>${esc(LIST_KIND[d.listKind] || d.listKind)}</h2><span class="${cls}">信用记录 · ${d.inForce ? "有效" : "已失效"}</span>`;
      html += `<dl>${row("编号", d.key)}${row("状态", STATUS[d.status] || d.status)}${row("严重程度", SEVERITY[d.severity] || d.severity)}
        ${row("认定部门", d.department)}${row("有效期", period(d))}${row("行为日期", d.actDate)}${row("依据", d.document)}
        ${row("事由", d.reason)}</dl>`;
      const subjects = node.incomers("node");
      if (subjects.nonempty()) html += `<h3>主体</h3><div>${subjects.map((s) => esc(s.data("label"))).join("、")}</div>`;
    } else {
      const kindLabel = d.kind === "ORGANIZATION" ? "组织" : "自然人";
      html += `<h2>${esc(d.label)}</h2><span class="kind ${d.kind}">${kindLabel}</span>`;
      if (d.kind === "ORGANIZATION") {
        html += `<dl>${row("统一社会信用代码", d.key)}${row("登记状态", d.status)}${row("机构类别", d.category)}
          ${row("登记管理部门", d.registrationAuthority)}${row("行政区划", d.division)}${row("成立日期", d.established)}</dl>`;
      } else {
        html += `<dl>${row("人员编号", d.key)}${row("身份证号", d.idNumber)}</dl>`;
      }
      html += `<div class="actions">
        <button type="button" data-action="expand">${node.hasClass("expanded") ? "刷新关系" : "展开关系"}</button>
        <button type="button" data-action="from">设为路径起点</button>
        <button type="button" data-action="to">设为路径终点</button></div>`;
      html += `<section id="assessment" class="assessment">
        <h3>核查与分级 <span class="muted">Check · credit class</span></h3>
        <div class="actions"><select id="scenario-select" aria-label="决策场景">${scenarioOptions()}</select>
          <button type="button" id="check-button" data-action="check">核查</button>
          ${d.kind === "ORGANIZATION" ? '<button type="button" id="report-button" data-action="report">信用报告</button>' : ""}</div>
        <div id="verdict"></div><div id="credit-class"></div></section>`;
      const entries = node.outgoers('node[kind = "ENTRY"]').sort((a, b) => Number(b.data("inForce")) - Number(a.data("inForce")));
      html += `<h3>信用记录（${entries.length}）</h3>`;
      html += entries.length ? entries.map((e) => entryCard(e.data())).join("") : `<div class="muted">无</div>`;
      const relations = node.connectedEdges('[type != "HAS_ENTRY"]');
      if (relations.nonempty()) {
        html += `<h3>关系（${relations.length}）</h3><ul class="steps">` + relations.map((e) => {
          const other = e.source().same(node) ? e.target() : e.source();
          const dir = e.source().same(node) ? "→" : "←";
          const when = e.data("from") || e.data("to") ? ` <span class="muted">${esc(period(e.data()))}</span>` : "";
          return `<li>${dir} ${esc(other.data("label"))} <span class="via">${esc(e.data("label") || ROLE[e.data("type")])}</span>${when}</li>`;
        }).join("") + "</ul>";
      }
    }
    panel.innerHTML = html;
    panel.dataset.node = d.id;
    panel.querySelectorAll("button[data-action]").forEach((b) => b.addEventListener("click", () => {
      const action = b.dataset.action;
      if (action === "expand") expand(refOfNode(node)).catch(() => {});
      if (action === "from") $("path-from").value = d.key;
      if (action === "to") $("path-to").value = d.key;
      if (action === "check") assess(refOfNode(node), $("scenario-select").value).catch(() => {});
      if (action === "report") openReport(d.key, $("scenario-select").value).catch(() => {});
    }));
    if (d.kind !== "ENTRY") loadScenarios().catch(() => {});
  }

  cy.on("tap", "node", (evt) => {
    const node = evt.target;
    showDetails(node);
    if (node.data("kind") !== "ENTRY" && !node.hasClass("expanded")) {
      expand(refOfNode(node)).catch(() => {});
    }
  });
  cy.on("tap", (evt) => { if (evt.target === cy) showDetails(null); });

  // ------------------------------------------------------------------------ check, credit class and report

  // The decision scenarios (`scenarios`: data, not code), loaded once; the chosen one is kept across subjects.
  let scenarios = null;
  let chosenScenario = "BANK_CREDIT";
  const VERDICT = { CLEAR: "通过", REVIEW: "需复核", RESTRICTED: "受限" };
  const CLASS_NAME = { A: "信用风险低", B: "信用风险一般", C: "信用风险较高", D: "信用风险高" };

  function scenarioOptions() {
    const list = scenarios || [{ code: chosenScenario, name: chosenScenario }];
    return list.map((x) => `<option value="${esc(x.code)}"${x.code === chosenScenario ? " selected" : ""}>${esc(x.name)}</option>`).join("");
  }

  async function loadScenarios() {
    if (!scenarios) {
      const data = await gql("{ scenarios { code name } }");
      scenarios = data.scenarios;
    }
    const select = $("scenario-select");
    if (select && select.options.length !== scenarios.length) select.innerHTML = scenarioOptions();
  }

  const CHECK_QUERY = `query($subject: SubjectRef!, $scenario: Scenario!, $asOf: Date, $purpose: String) {
    check(subject: $subject, scenario: $scenario, asOf: $asOf, purpose: $purpose) {
      verdict asOf evidenceHash
      findings { via effect suspended reasons entry { entryId kind }
        path { nodes { kind key name } relationships { type from to ratio forward } } } } }`;
  const CLASS_QUERY = `query($subject: SubjectRef!, $asOf: Date, $purpose: String) {
    creditClass(subject: $subject, asOf: $asOf, purpose: $purpose) {
      creditClass className score floorBy inspectionRatioMin inspectionRatioMax
      indicators { code name value points evidence basisDocument basisItem } } }`;

  /** The check's verdict for the scenario and (organisations) the credit class, beside the graph; the findings'
      paths highlighted on it. */
  async function assess(ref, scenario) {
    chosenScenario = scenario || chosenScenario;
    await withBusy("核查", async () => {
      const vars = { subject: ref, asOf: asOf(), purpose: purpose() };
      const [checked, classed] = await Promise.all([
        gql(CHECK_QUERY, { ...vars, scenario: chosenScenario }),
        ref.uscc ? gql(CLASS_QUERY, vars) : Promise.resolve(null),
      ]);
      const c = checked.check;
      const box = $("verdict");
      if (box) {
        box.innerHTML = `<div class="verdict ${esc(c.verdict)}" data-verdict="${esc(c.verdict)}">${esc(VERDICT[c.verdict] || c.verdict)}
          <span class="muted">${esc(c.verdict)} · ${esc(chosenScenario)} · ${esc(c.asOf)}</span></div>` +
          (c.findings.length ? `<ol class="findings">` + c.findings.map((f) =>
            `<li data-entry="${esc(f.entry.entryId)}"><b>${esc(VERDICT[f.effect] || f.effect)}</b> ${esc(LIST_KIND[f.entry.kind] || f.entry.kind)}
              <span class="muted">${esc(f.via)} · ${esc(f.entry.entryId)}${f.suspended ? " · 措施中止" : ""}</span></li>`).join("") + "</ol>"
            : `<div class="muted">无发现</div>`);
      }
      const highlighted = highlightFindings(c.findings);
      document.body.dataset.verdict = c.verdict;
      document.body.dataset.highlighted = String(highlighted);
      if (classed) showClass(classed.creditClass);
      setStatus(`核查：${VERDICT[c.verdict] || c.verdict}，${c.findings.length} 项发现` +
        (classed ? `；信用分级 ${classed.creditClass.creditClass} 类` : "") + " · " + counts());
    });
  }

  function showClass(k) {
    const box = $("credit-class");
    document.body.dataset.creditClass = k.creditClass;
    if (!box) return;
    const pct = (x) => Math.round(x * 100) + "%";
    box.innerHTML = `<div class="class-badge class-${esc(k.creditClass)}" data-class="${esc(k.creditClass)}">${esc(k.creditClass)} 类
        <span>${esc(k.className || CLASS_NAME[k.creditClass] || "")}</span></div>
      <dl>${row("分值", k.score)}${row("抽查比例", pct(k.inspectionRatioMin) + " – " + pct(k.inspectionRatioMax))}
        ${k.floorBy ? row("下限来自", k.floorBy) : ""}</dl>
      <table class="indicators"><thead><tr><th>指标</th><th>值</th><th>得分</th></tr></thead><tbody>` +
      k.indicators.filter((i) => i.points || i.value).map((i) =>
        `<tr data-indicator="${esc(i.code)}" title="${esc((i.basisDocument || "") + " " + (i.basisItem || ""))} ${esc(i.evidence.join(", "))}">
          <td>${esc(i.name)}</td><td>${esc(i.value)}</td><td>${esc(i.points)}</td></tr>`).join("") + "</tbody></table>";
  }

  /** Draw each finding's path (nodes not drawn yet are added beside their neighbour) and highlight them all;
      returns how many elements are highlighted. */
  function highlightFindings(findings) {
    clearPath();
    let onPath = cy.collection();
    for (const f of findings) {
      const nodes = f.path.nodes.map((x) => ({
        id: PREFIX[x.kind] + x.key, key: x.key, kind: x.kind === "LIST_ENTRY" ? "ENTRY" : x.kind,
        label: x.kind === "LIST_ENTRY" ? (LIST_KIND[f.entry.kind] || f.entry.kind) : (x.name || x.key), name: x.name,
        ...(x.kind === "LIST_ENTRY" ? { inForce: true, listKind: f.entry.kind } : {}),
      }));
      nodes.forEach((n, i) => {
        let node = cy.getElementById(n.id);
        if (node.empty()) {
          node = cy.add({ group: "nodes", data: n });
          if (i > 0) placeAround(cy.getElementById(nodes[i - 1].id), node);
        }
        onPath = onPath.union(node);
      });
      f.path.relationships.forEach((rel, i) => {
        const [a, b] = rel.forward ? [nodes[i], nodes[i + 1]] : [nodes[i + 1], nodes[i]];
        let edge = cy.edges().filter((e) => e.source().id() === a.id && e.target().id() === b.id && e.data("type") === rel.type);
        if (edge.empty()) {
          edge = cy.add({ group: "edges", data: { id: `${a.id}-${rel.type}->${b.id}`, source: a.id, target: b.id,
                                                  type: rel.type, label: edgeLabel(rel.type, rel), ratio: rel.ratio } });
        }
        onPath = onPath.union(edge);
      });
    }
    if (onPath.nonempty()) {
      cy.elements().addClass("faded");
      onPath.removeClass("faded").addClass("path");
      cy.animate({ fit: { eles: onPath, padding: 90 } }, { duration: 250 });
    }
    return onPath.length;
  }

  // The credit report (GET /reports/<uscc>.pdf, built by the report module): fetched with the key in the
  // X-Api-Key header (a link cannot carry a header) and opened from a blob URL.
  async function openReport(uscc, scenario) {
    await withBusy("生成信用报告", async () => {
      const params = new URLSearchParams({ scenario: scenario || chosenScenario });
      if (asOf()) params.set("asOf", asOf());
      if (purpose()) params.set("purpose", purpose());
      const url = `/reports/${encodeURIComponent(uscc)}.pdf?${params}`;
      document.body.dataset.reportRequested = url;
      const response = await fetch(url, { headers: { "X-Api-Key": $("api-key").value.trim() } });
      document.body.dataset.reportStatus = String(response.status);
      if (!response.ok) {  // the report's errors are GraphQL-shaped JSON (see /work/notes/report-url.md)
        let message = `HTTP ${response.status}`;
        try { message = (await response.json()).errors[0].message || message; } catch (err) { /* not JSON */ }
        throw new Error(`信用报告：${message}`);
      }
      const blob = await response.blob();
      const link = URL.createObjectURL(blob);
      document.body.dataset.reportNumber = response.headers.get("X-Report-Number") || "";
      document.body.dataset.reportUrl = link;
      window.open(link, "_blank", "noopener");
      setStatus(`信用报告已打开：${response.headers.get("X-Report-Number") || ""}`);
    });
  }

  // ---------------------------------------------------------------------------------------------- search

  async function search(text) {
    const list = $("search-results");
    const data = await withBusy("搜索", () => gql(`query($name: String!, $purpose: String) {
        searchSubjects(name: $name, first: 12, purpose: $purpose) {
        nodes { __typename ... on Organization { uscc name status } ... on Person { id name idNumber } } } }`,
      { name: text, purpose: purpose() }));
    const hits = data.searchSubjects.nodes;
    list.innerHTML = hits.length ? hits.map((h) => {
      const kind = h.__typename === "Organization" ? "ORGANIZATION" : "PERSON";
      const key = kind === "ORGANIZATION" ? h.uscc : String(h.id);
      return `<li data-id="${esc(key)}" data-kind="${kind}"><span class="tag ${kind}">${kind === "ORGANIZATION" ? "组织" : "个人"}</span>
        <span class="name">${esc(h.name || key)}</span><span class="key">${esc(key)}</span></li>`;
    }).join("") : `<li class="empty">没有匹配的主体</li>`;
    list.hidden = false;
    const exact = hits.length === 1 && list.querySelector("li[data-id]");
    if (exact && exact.dataset.id.toUpperCase() === text.trim().toUpperCase()) {  // a USCC or id typed: draw it
      list.hidden = true;
      const ref = exact.dataset.kind === "ORGANIZATION" ? { uscc: exact.dataset.id } : { personId: exact.dataset.id };
      return expand(ref, { fresh: true });
    }
    setStatus(hits.length ? `找到 ${hits.length} 个主体` : "没有匹配的主体", hits.length ? "" : "warn");
    list.querySelectorAll("li[data-id]").forEach((li) => li.addEventListener("click", () => {
      list.hidden = true;
      const ref = li.dataset.kind === "ORGANIZATION" ? { uscc: li.dataset.id } : { personId: li.dataset.id };
      expand(ref, { fresh: true }).catch(() => {});
    }));
  }

  $("search-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    const text = $("search-input").value.trim();
    if (text) search(text).catch(() => {});
  });
  document.addEventListener("click", (evt) => {
    if (!$("search-form").contains(evt.target)) $("search-results").hidden = true;
  });

  // ------------------------------------------------------------------------------------------------ paths

  function clearPath() {
    cy.elements().removeClass("path faded");
  }

  async function findPaths(fromText, toText, maxHops) {
    const from = refOf(fromText), to = refOf(toText);
    if (!from || !to) return setStatus("请输入起点和终点", "warn");
    await withBusy("查找路径", async () => {
      const result = await api.paths(from, to, maxHops);
      clearPath();
      if (!result.paths.length) {
        setStatus(result.explanation || `${maxHops} 跳之内没有路径`, "warn");
        showPathDetails(result);
        return;
      }
      // Nodes not drawn yet are added (click them to expand); each hop is the drawn edge of that type
      // between the two nodes, or a new one.
      const added = merge({ nodes: result.paths.flatMap((p) => p.nodes), edges: [] });
      for (const p of result.paths) {  // a node not drawn yet goes beside the one before it on the path
        p.nodes.forEach((n, i) => {
          const node = cy.getElementById(n.id);
          if (i > 0 && added.contains(node)) placeAround(cy.getElementById(p.nodes[i - 1].id), node);
        });
      }
      const chains = result.paths.map((p) => {
        let chain = cy.collection();
        for (const n of p.nodes) chain = chain.union(cy.getElementById(n.id));
        for (const hop of p.hops) {
          let edge = cy.edges().filter((e) => e.source().id() === hop.source && e.target().id() === hop.target &&
                                              e.data("type") === hop.type);
          if (edge.empty()) edge = cy.add({ group: "edges", data: { id: `${hop.source}-${hop.type}->${hop.target}`, ...hop } });
          hop.label = edge.first().data("label") || hop.label;  // the drawn edge's label has the title (董事长)
          chain = chain.union(edge);
        }
        return chain;
      });
      const onPath = chains.reduce((all, c) => all.union(c), cy.collection());
      cy.elements().addClass("faded");
      onPath.removeClass("faded").addClass("path");
      cy.animate({ fit: { eles: onPath, padding: 90 } }, { duration: 250 });
      showPathDetails(result);
      setStatus(`找到 ${result.paths.length} 条最短路径（${result.length} 跳）· ` + counts());
      document.body.dataset.paths = String(result.paths.length);
    });
  }

  function showPathDetails(result) {
    const panel = $("details");
    let html = `<h2>路径</h2><span class="kind path">${result.paths.length} 条 · ${result.length ?? "—"} 跳</span>`;
    if (!result.paths.length) html += `<p class="muted">${esc(result.explanation || "没有路径")}</p>`;
    result.paths.forEach((p, i) => {
      html += `<h3>路径 ${i + 1}</h3><div class="chain">`;
      p.nodes.forEach((n, j) => {
        const kind = n.kind === "ORGANIZATION" ? "组织" : "自然人";
        html += `<div class="step ${n.kind}"><span class="tag">${kind}</span>${esc(n.label)}
          <div class="muted key">${esc(n.key)}</div></div>`;
        const hop = p.hops[j];
        if (hop) {
          const arrow = hop.source === n.id ? "▼" : "▲";  // the relationship's direction along the path
          html += `<div class="hop">${arrow} ${esc(hop.label || ROLE[hop.type] || hop.type)}</div>`;
        }
      });
      html += "</div>";
    });
    panel.innerHTML = html;
    panel.dataset.node = "";
  }

  $("path-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    findPaths($("path-from").value, $("path-to").value, Number($("path-hops").value) || 4).catch(() => {});
  });

  // ------------------------------------------------------------------------------------------------ tools

  $("fit-button").addEventListener("click", () => cy.fit(undefined, 60));
  $("relayout-button").addEventListener("click", () => layout());
  $("clear-path-button").addEventListener("click", clearPath);
  $("clear-button").addEventListener("click", () => { cy.elements().remove(); showDetails(null); setStatus(""); });
  $("as-of").addEventListener("change", () => {
    const focus = cy.nodes(".focus");
    if (focus.nonempty()) {
      expand(refOfNode(focus), { fresh: true }).catch(() => {});
    }
  });

  // ------------------------------------------------------------------------------------- identity review
  // The review queue (issue 14): candidate pairs of person records that may be the same person, best score
  // first, each with its evidence; an investigator judges a pair SAME, DIFFERENT or UNSURE, with a reason.

  const JUDGEMENT = { SAME: "同一人", DIFFERENT: "不同人", UNSURE: "不确定" };
  const EVIDENCE = {
    SAME_NAME: "同名", SHARED_ORGANIZATION: "共同任职组织", SHARED_CO_OFFICERS: "共同的其他任职人员",
    SAME_DIVISION: "统一社会信用代码同一行政区划", OVERLAPPING_PERIODS: "任职期间重叠",
    MASKED_ID_COMPATIBLE: "身份证号可见位一致", MASKED_ID_CONFLICT: "身份证号可见位矛盾",
  };
  const MENTION_FIELDS = "id name idNumber roles { role title from to organization { uscc name } }";

  async function reviewQueue(after) {
    const data = await gql(`query($first: Int!, $after: String, $purpose: String) {
      identityReview(first: $first, after: $after, purpose: $purpose) {
        nodes { score status verdict judgementId evidence { kind detail weight persons { id name } }
                left { ${MENTION_FIELDS} } right { ${MENTION_FIELDS} } }
        pageInfo { hasNextPage endCursor } } }`, { first: 20, after: after || null, purpose: purpose() });
    return data.identityReview;
  }

  async function judge(left, right, verdict, reason) {
    const data = await gql(`mutation($left: ID!, $right: ID!, $verdict: IdentityVerdict!, $reason: String!,
        $purpose: String) {
      judgeIdentity(left: $left, right: $right, verdict: $verdict, reason: $reason, purpose: $purpose) {
        judgementId verdict who at } }`, { left, right, verdict, reason, purpose: purpose() });
    return data.judgeIdentity;
  }

  function mentionCard(p) {
    const roles = (p.roles || []).map((r) => `<li>${esc(r.organization ? r.organization.name || r.organization.uscc : "")}
      <span class="via">${esc(r.title || ROLE[r.role] || r.role)}</span>
      <span class="muted">${esc(period(r))}</span></li>`).join("");
    return `<div class="mention"><div class="name">${esc(p.name || p.id)}</div>
      <div class="muted key">${esc(p.id)}</div>${p.idNumber ? `<div class="muted">身份证号：${esc(p.idNumber)}</div>` : ""}
      <ul class="steps">${roles || "<li class=\"muted\">无任职记录</li>"}</ul></div>`;
  }

  function candidateCard(c, i) {
    const evidence = c.evidence.map((e) => `<li><span class="via">${esc(EVIDENCE[e.kind] || e.kind)}</span>
      ${esc(e.detail || "")}${(e.persons || []).length ? "：" + e.persons.map((p) => esc(p.name || p.id)).join("、") : ""}${e.weight !== null && e.weight !== undefined ? ` <span class="muted">(${esc(e.weight)})</span>` : ""}</li>`).join("");
    const unsure = c.verdict === "UNSURE" ? `<div class="muted">已判定“不确定”（${esc(c.judgementId)}）</div>` : "";
    return `<div class="candidate" data-index="${i}" data-left="${esc(c.left.id)}" data-right="${esc(c.right.id)}">
      <div class="head"><span>疑似同一人</span><span class="score">相似度 ${esc(Math.round(c.score * 100))}%</span></div>
      ${unsure}<div class="pair">${mentionCard(c.left)}<div class="vs">⇄</div>${mentionCard(c.right)}</div>
      <h4>依据</h4><ul class="evidence">${evidence || "<li class=\"muted\">无</li>"}</ul>
      <div class="judge"><input class="reason" placeholder="判定理由（必填）" aria-label="判定理由" />
        <button type="button" data-verdict="SAME">同一人</button>
        <button type="button" data-verdict="DIFFERENT">不同人</button>
        <button type="button" data-verdict="UNSURE">不确定</button></div></div>`;
  }

  /** Draw the queue (from `after`, a page cursor); `note` (what was just judged) leads the status line. */
  async function showReview(after, note) {
    await withBusy("加载待核对", async () => {
      const page = await reviewQueue(after);
      const panel = $("details");
      let html = `<h2>身份核对</h2><span class="kind review">待核对 ${page.nodes.length}${page.pageInfo.hasNextPage ? "+" : ""} 对</span>
        <p class="muted">按相似度排列。只凭同名不会合并；判定为“同一人”后，核查和责任追溯把两条记录当作同一人。</p>`;
      html += page.nodes.length ? page.nodes.map(candidateCard).join("") : `<div class="muted empty-queue">没有待核对的记录</div>`;
      if (page.pageInfo.hasNextPage) html += `<button type="button" id="review-more">下一页</button>`;
      panel.innerHTML = html;
      panel.dataset.node = "";
      panel.querySelectorAll(".candidate").forEach((card) => card.querySelectorAll("button[data-verdict]").forEach(
        (b) => b.addEventListener("click", () => {
          const reason = card.querySelector(".reason").value.trim();
          if (!reason) {
            setStatus("请填写判定理由", "warn");
            card.querySelector(".reason").focus();
            return;
          }
          withBusy("提交判定", async () => {
            const j = await judge(card.dataset.left, card.dataset.right, b.dataset.verdict, reason);
            document.body.dataset.judged = String((Number(document.body.dataset.judged) || 0) + 1);
            await showReview(undefined, `已判定：${JUDGEMENT[j.verdict] || j.verdict}（${j.judgementId}）`);
          }).catch(() => {});
        })));
      const more = $("review-more");
      if (more) more.addEventListener("click", () => showReview(page.pageInfo.endCursor).catch(() => {}));
      const left = page.nodes.length ? `待核对 ${page.nodes.length} 对` : "没有待核对的记录";
      setStatus(note ? `${note} · ${left}` : left);
      document.body.dataset.review = String((Number(document.body.dataset.review) || 0) + 1);
    });
  }

  $("review-button").addEventListener("click", () => showReview().catch(() => {}));

  $("api-key").value = sessionStorage.getItem(KEY_STORE) || "";
  $("api-key").addEventListener("change", () => sessionStorage.setItem(KEY_STORE, $("api-key").value.trim()));

  window.explorer = { expand, search, findPaths, refOf, api, showReview, assess, openReport };
  document.body.dataset.ready = "1";
})();
