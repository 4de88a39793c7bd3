/* The campaign graph: reads the JSON block the page carries (no inline script: the CSP
   allows scripts from this origin only) and draws it with the vendored cytoscape.js.
   Reports are circles coloured by victim country, indicators squares coloured by type;
   excluded and over-correlating indicators are grey with a dashed border. A click on a node
   opens the report or the indicator; the legend hides or shows a country or a type; the
   search box finds nodes by label. Without JavaScript the tables on the page remain. */
(function () {
  "use strict";

  // Reports by country and indicators by type draw from two palettes, assigned in sorted
  // order, so that two keys never share a colour while a palette lasts.
  var COUNTRY_COLOURS = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
    "#17becf", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d"
  ];
  var TYPE_COLOURS = [
    "#bcbd22", "#636363", "#fdae6b", "#74c476", "#9e9ac8", "#fd8d3c", "#6baed6",
    "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#c7c7c7"
  ];
  var BLOCKED = { "excluded": true, "over-correlating": true, "warninglisted": true };

  function assign(keys, palette, into) {
    keys.sort().forEach(function (key, i) { into[key] = palette[i % palette.length]; });
  }

  // Each country and type in the legend is a toggle: hiding its nodes hides their edges too.
  function legend(box, colours, cy) {
    if (!box) { return; }
    Object.keys(colours).sort().forEach(function (key) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "graph-key";
      item.setAttribute("aria-pressed", "true");
      item.title = box.getAttribute("data-hint") || "";
      var dot = document.createElement("span");
      dot.className = "graph-dot" + (key.indexOf("type ") === 0 ? " square" : "");
      dot.style.backgroundColor = colours[key]; // CSSOM, allowed by the CSP
      item.appendChild(dot);
      item.appendChild(document.createTextNode(key));
      item.addEventListener("click", function () {
        var shown = item.getAttribute("aria-pressed") === "true";
        item.setAttribute("aria-pressed", shown ? "false" : "true");
        cy.nodes().filter(function (n) { return n.data("key") === key; })
          .toggleClass("hidden", shown);
      });
      box.appendChild(item);
    });
  }

  // Find: nodes whose label holds the text (references, "type: value"), case-insensitive;
  // the others fade and the view closes in on the matches.
  function finder(cy) {
    var form = document.getElementById("graph-tools");
    var input = document.getElementById("graph-query");
    var found = document.getElementById("graph-found");
    if (!form || !input || !found) { return; }
    form.hidden = false;
    // Fitting a few nodes would blow their labels up to fill the box: frame them, no closer.
    function frame(eles, padding) {
      cy.fit(eles, padding);
      if (cy.zoom() > 1.6) { cy.zoom(1.6); cy.center(eles); }
    }
    function clear() {
      cy.elements().removeClass("faded match");
      found.textContent = "";
    }
    form.addEventListener("submit", function (evt) {
      evt.preventDefault();
      var text = input.value.trim().toLowerCase();
      clear();
      if (!text) { frame(cy.elements(":visible"), 20); return; }
      var hits = cy.nodes(":visible").filter(function (n) {
        return String(n.data("label")).toLowerCase().indexOf(text) !== -1;
      });
      if (hits.length === 0) {
        found.textContent = found.getAttribute("data-none");
        return;
      }
      cy.elements().addClass("faded");
      hits.removeClass("faded").addClass("match");
      hits.connectedEdges().removeClass("faded");
      hits.neighborhood("node").removeClass("faded");
      found.textContent = found.getAttribute("data-some") + " " + hits.length;
      frame(hits.union(hits.neighborhood("node")), 40);
    });
    document.getElementById("graph-fit").addEventListener("click", function () {
      input.value = "";
      clear();
      frame(cy.elements(":visible"), 20);
    });
  }

  function start() {
    var box = document.getElementById("campaign-graph");
    var src = document.getElementById("campaign-graph-data");
    if (!box || !src || typeof window.cytoscape !== "function") { return; }
    var data = JSON.parse(src.textContent);
    var countries = {}, types = {}, colours = {};
    data.nodes.forEach(function (n) {
      if (n.data.kind === "report") { countries["country " + n.data.country] = true; }
      else { types["type " + n.data.type] = true; }
    });
    assign(Object.keys(countries), COUNTRY_COLOURS, colours);
    assign(Object.keys(types), TYPE_COLOURS, colours);
    data.nodes.forEach(function (n) {
      var d = n.data;
      if (d.kind === "report") {
        d.key = "country " + d.country;
        d.colour = colours[d.key];
      } else {
        d.key = "type " + d.type;
        d.colour = colours[d.key];
        d.blocked = BLOCKED[d.state] === true;
      }
    });
    var blocked = {};
    data.nodes.forEach(function (n) { if (n.data.blocked) { blocked[n.data.id] = true; } });
    data.edges.forEach(function (e) { e.data.blocked = blocked[e.data.target] === true; });
    var many = data.nodes.length > 300;
    var cy = window.cytoscape({
      container: box,
      elements: data.nodes.concat(data.edges),
      wheelSensitivity: 0.3,
      layout: many ? { name: "concentric", animate: false } :
        { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 },
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", "label": "data(label)", "font-size": 7,
          "color": "#222", "text-valign": "bottom", "text-margin-y": 2, "width": 16, "height": 16
        } },
        { selector: "node[kind = 'indicator']", style: { "shape": "round-rectangle", "width": 12, "height": 12 } },
        { selector: "node[?blocked]", style: {
          "background-color": "#bbb", "border-width": 2, "border-style": "dashed",
          "border-color": "#c00", "color": "#900"
        } },
        { selector: "edge", style: { "width": 1, "line-color": "#aaa", "curve-style": "haystack" } },
        { selector: "edge[?blocked]", style: { "line-style": "dashed", "line-color": "#e0a0a0" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } },
        { selector: ".hidden", style: { "display": "none" } },
        { selector: ".faded", style: { "opacity": 0.15 } },
        { selector: "node.match", style: {
          "border-width": 3, "border-color": "#000", "color": "#000",
          "text-background-color": "#fff", "text-background-opacity": 0.9,
          "text-background-padding": 1, "z-index": 10
        } }
      ]
    });
    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      if (url) { window.location.assign(url); }
    });
    window.campaignGraph = cy; // for the browser test and for the console
    box.setAttribute("data-rendered", String(cy.nodes().length));
    var count = document.getElementById("graph-drawn");
    if (count) { count.textContent = String(cy.nodes().length); }
    legend(document.getElementById("graph-legend"), colours, cy);
    finder(cy);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
