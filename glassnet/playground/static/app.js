// glassnet playground: the view and the controls. Every number comes from the
// glassnet process behind this page (the /api/* calls); nothing is computed here
// except colours and positions.
"use strict";

const TOKEN = document.querySelector('meta[name="glassnet-token"]').content;
const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"];
const FEATURE_LABEL = { x1: "X\u2081", x2: "X\u2082", "x1^2": "X\u2081\u00b2", "x2^2": "X\u2082\u00b2",
  x1x2: "X\u2081X\u2082", sin_x1: "sin(X\u2081)", sin_x2: "sin(X\u2082)" };
const CLASSIFICATION = ["circle", "xor", "gauss", "spiral", "moons", "xnor", "or", "and"];
const GATES = ["xnor", "or", "and"];   // the lecture's four points (OR, AND: one neuron)
// a data set in a sentence: the gates in capitals ("500 or points" read as English)
const dataWord = (name) => (GATES.includes(name) ? name.toUpperCase() : DATASET_LABEL[name] || name);
const REGRESSION = ["reg-plane", "reg-gauss"];
const DATASET_LABEL = { circle: "circle", xor: "xor", gauss: "gauss", spiral: "spiral", moons: "moons",
  xnor: "xnor", or: "or", and: "and", "reg-plane": "plane", "reg-gauss": "gaussians" };
// the slides' setup: their learning rate, no penalty, the four points in one batch, their loss
const LECTURE = { lr: 1, regularization: "none", reg_rate: 0, batch_size: 4, loss: "half_mse" };
// what the Lecture preset fixes (the server's LECTURE config): a link's other value is said
const LECTURE_FIXED = { dataset: "xnor", problem: "classification", features: ["x1", "x2"], hidden: [2],
  activation: "sigmoid", noise: 0, train_ratio: 100 };
// the new-run settings the preset takes and stays the preset (a new run from the slide's
// weights): the batch size (1: one point a step) and the loss; the others leave it
const IN_PRESET = ["batch_size", "loss"];
// the keys of every link the page wrote before the loss setting (loss= since): a lecture link
// with all of them and no loss= is one copied then, which trained with cross-entropy
const OLD_LINK_KEYS = ["dataset", "problem", "activation", "lr", "regularization", "reg_rate", "noise",
  "train_ratio", "batch_size", "seed", "preset", "show_test", "discretize", "features", "hidden"];
// the losses as the page names them (the loss control, the line under the losses)
const LOSS_WORDS = { cross_entropy: "cross-entropy", half_mse: "\u00bd(\u0177 \u2212 y)\u00b2" };
const DEFAULTS = { dataset: "circle", problem: "classification", features: ["x1", "x2"], hidden: [4, 2],
  activation: "tanh", lr: 0.03, regularization: "none", reg_rate: 0, noise: 0, train_ratio: 50,
  batch_size: 10, seed: 0, preset: "none", loss: "cross_entropy", show_test: false, discretize: false };
const TRAINING_ONLY = ["lr", "regularization", "reg_rate"]; // changed without a new run
const GRID = 100;

// ---------------------------------------------------------------- state <-> URL
// what a link held that the page cannot use (an unknown setting, a box's value other than
// true or false): said on the status line once its run is shown (they were dropped silently)
let linkNotes = [];
const SETTINGS = [...Object.keys(DEFAULTS), "changes"];
// a link's changes by step (changes=): {start: its training settings, changes: the run's
// record's entries}, sent with the /api/run of the link's run (the page's start, the hash
// changed by hand, Reset), which the server applies each after its step as the live
// control did; null once a change of the user's own dropped them, or for another run
let linkReplay = null;
// the run's own record of changes (the frames' first LINK_CHANGES, and how many in all):
// what its link holds; replayDropped: what a change of the user's own dropped
let recorded = { changes: [], total: 0 };
let replayDropped = null;

let state = readHash();
let run = null;       // {id, config, data}
let frame = null;     // the latest frame
let playing = false;
let selected = { point: null, target: null };
let plotKeys = false;   // the output plot has the keyboard's focus (Tab), not a click's
let busy = Promise.resolve();

function readHash() {
  const s = structuredClone(DEFAULTS);
  const h = new URLSearchParams(location.hash.slice(1));
  linkNotes = [];
  // a value that is no finite number (lr=abc, lr=1e400, hidden=4,abc) goes to the server as
  // written, which refuses it by name (it was dropped for the default, or sent as null, read
  // "Got None"); so do feature names that are not the page's (they were filtered out)
  const value = (v) => (v.trim() !== "" && isFinite(+v) ? +v : v);
  for (const k of ["dataset", "problem", "activation", "regularization", "preset", "loss"]) if (h.has(k)) s[k] = h.get(k);
  if (!h.has("loss") && s.problem === "regression") s.loss = "half_mse";   // (regression's only loss)
  for (const k of ["lr", "reg_rate", "noise", "train_ratio", "batch_size", "seed"]) if (h.has(k)) s[k] = value(h.get(k));
  if (h.has("features")) s.features = h.get("features") === "" ? [] : h.get("features").split(",");
  if (h.has("hidden")) s.hidden = h.get("hidden") === "" ? [] : h.get("hidden").split(",").map(value);
  for (const k of ["show_test", "discretize"]) {
    if (!h.has(k)) continue;
    s[k] = h.get(k) === "true";
    if (!["true", "false"].includes(h.get(k)))
      linkNotes.push(`the link's ${k}=${h.get(k).slice(0, 40)} is not true or false: ${s[k]} is shown`);
  }
  const unknown = [...new Set(h.keys())].filter((k) => !SETTINGS.includes(k));
  if (unknown.length) linkNotes.push(`the link's ${unknown.map((k) => `'${k.slice(0, 40)}'`).join(", ")} `
    + `${unknown.length === 1 ? "is no setting" : "are no settings"} of the playground and `
    + `${unknown.length === 1 ? "was" : "were"} left out (the settings: ${SETTINGS.join(", ")})`);
  // a setting given twice (a hand-edited link's leftover lr=): its first value is used, and
  // the others are said (they were dropped silently). Each as the link writes it, k=v, and
  // "; " between them: a value may hold commas (hidden=3,3), which ", " would blur
  for (const k of [...new Set(h.keys())].filter((k) => SETTINGS.includes(k) && h.getAll(k).length > 1)) {
    const all = h.getAll(k);
    const shown = all.slice(0, 5).map((v) => `${k}=${v.slice(0, 40)}`).join("; ") + (all.length > 5 ? "; ..." : "");
    linkNotes.push(`the link gives '${k}' ${all.length} times (${shown}) and only the first `
      + `(${k}=${all[0].slice(0, 40)}) was used (give each setting once)`);
  }
  // a lecture link without its settings (typed by hand) trains as the Lecture button does
  if (s.preset === "lecture") for (const [k, v] of Object.entries(LECTURE)) if (!h.has(k)) s[k] = v;
  // a lecture link without loss=: the preset trained with cross-entropy until the loss
  // setting came, and trains with the slides' ½(ŷ − y)² since (a link of before trained with
  // the new loss, other numbers, unsaid). One the page wrote (every key it wrote then, which
  // a link typed by hand does not give) rebuilds its run, with cross-entropy; a typed one
  // takes the preset's loss. Either is said
  if (s.preset === "lecture" && !h.has("loss")) {
    const half = LOSS_WORDS.half_mse;
    if (OLD_LINK_KEYS.every((k) => h.has(k))) {
      s.loss = "cross_entropy";
      linkNotes.push("this link was copied before the loss setting: it trains with cross-entropy, as the Lecture "
        + `preset did then, and gives its numbers of then (the preset now trains on the slides' ${half}: loss=half_mse)`);
    } else {
      linkNotes.push(`the link gives no loss: the Lecture preset now trains on the slides' ${half}; `
        + "&loss=cross_entropy rebuilds a link copied before this version (its cross-entropy)");
    }
  }
  // the network and data settings the preset fixes: a link's other value for one is named and
  // left out, said on the status line (they were dropped silently, and the address bar
  // rewritten without them)
  if (s.preset === "lecture") {
    // (features as the server takes them: in the page's order, x2,x1 is x1,x2)
    const same = (k, a, b) => k === "features" && Array.isArray(a)
      ? JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) : JSON.stringify(a) === JSON.stringify(b);
    const other = Object.keys(LECTURE_FIXED).filter((k) => h.has(k) && !same(k, s[k], LECTURE_FIXED[k]));
    if (other.length) {
      const one = other.length === 1;
      const shown = (k, v) => `${k}=${Array.isArray(v) ? v.join(",") : String(v).slice(0, 40)}`;
      linkNotes.push(`the link's ${other.map((k) => shown(k, h.get(k))).join(", ")} ${one ? "is a setting" : "are settings"} `
        + `the Lecture preset fixes (the slide's network and data: ${other.map((k) => shown(k, LECTURE_FIXED[k])).join(", ")}), `
        + `so ${one ? "it was" : "they were"} left out; to use ${one ? "it" : "them"}, set preset=none in the link`);
    }
  }
  linkReplay = null;
  if (h.get("changes")) {
    const changes = readChanges(h.get("changes"), value);
    if (typeof changes === "string") linkNotes.push(changes);
    else linkReplay = { start: { lr: s.lr, regularization: s.regularization, reg_rate: s.reg_rate }, changes };
  }
  return s;
}

// a link's changes: "25:t,1,none,0" (after step 25: learning rate 1, regularization none,
// rate 0) and "26:w,1,0,1,0.5" (after step 26: layer 1's weight from 0 to 1 set to 0.5; from
// -1: the bias of neuron 1), joined by ";", as the server records them (Run.changes). The
// values go to the server as written, which checks them as the live controls' (a bad one is
// refused by name); a malformed entry is said, and the link's changes are left out whole
function readChanges(text, value) {
  const out = [];
  for (const part of text.split(";")) {
    const m = /^(\d+):([tw]),(.*)$/.exec(part);
    const f = m ? m[3].split(",") : [];
    if (!m || f.length !== (m[2] === "t" ? 3 : 4))
      return `the link's change '${part.slice(0, 40)}' is not step:t,lr,regularization,rate nor `
        + "step:w,layer,from,to,value, so the link's changes were left out (its settings are used)";
    out.push(m[2] === "t" ? { step: +m[1], lr: value(f[0]), regularization: f[1], reg_rate: value(f[2]) }
      : { step: +m[1], set: f.map(value) });
  }
  return out;
}

// the link's training settings and changes: the run's starting settings with its changes
// before its first step folded in (the same run), then its record's other changes
function linkChanges() {
  const start = {};
  if (!run?.initial) return { start, changes: [] };
  for (const k of TRAINING_ONLY) start[k] = run.initial[k];
  const changes = [];
  for (const ch of recorded.changes) {
    if (ch.step === 0 && !ch.set) for (const k of TRAINING_ONLY) start[k] = ch[k];
    else changes.push(ch);
  }
  return { start, changes };
}

function changesText(changes) {
  const text = changes.map((ch) => `${ch.step}:` + (ch.set ? "w," + ch.set.join(",")
    : `t,${ch.lr},${ch.regularization},${ch.reg_rate}`)).join(";");
  // (commas, colons and semicolons may stand in a URL's fragment: kept readable)
  return encodeURIComponent(text).replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%3B/g, ";");
}

// the link: the settings, with the training settings the run started with, and the changes
// made during the run by step (a learning rate, a regularization, a weight typed), so that a
// classmate who opens it and takes the same steps sees the same numbers. While a link's
// replay has changes to come (replay: the frame's), it is the link's own: its starting
// settings and all its changes (it held only those applied so far, so that a reload or a
// copy before the last one gave another run, unsaid)
function writeHash(replay = frame?.replay) {
  const h = new URLSearchParams();
  const { start, changes } = linkReplay && replay?.pending
    ? { start: linkReplay.start, changes: linkReplay.changes } : linkChanges();
  for (const k of ["dataset", "problem", "activation", "lr", "regularization", "reg_rate", "noise",
    "train_ratio", "batch_size", "seed", "preset", "loss", "show_test", "discretize"]) h.set(k, String(k in start ? start[k] : state[k]));
  h.set("features", state.features.join(","));
  h.set("hidden", state.hidden.join(","));
  const more = changes.length ? "&changes=" + changesText(changes) : "";
  history.replaceState(null, "", location.pathname + location.search + "#" + h.toString() + more);
}

// a frame's (or /api/settings') record of the run's changes: the link follows it
function recordChanges(out) {
  if (!("changes" in out)) return;
  const now = { changes: out.changes, total: out.changes_total };
  if (equal(now, recorded)) return;
  recorded = now;
  writeHash();
  showLink();
}

// the link's status line: a replay's progress, a replay dropped, a link past its cap
function showLink() {
  const parts = [];
  const r = frame?.replay;
  const n = (k, one) => `${k} ${one}${k === 1 ? "" : "s"}`;
  if (replayDropped) {
    const d = replayDropped;
    parts.push(`Your own change at step ${d.at} came before the link's last one: its ${n(d.dropped, "remaining change")}, `
      + `from step ${d.next} on, ${d.dropped === 1 ? "was" : "were"} dropped, so this run is yours from there (its link says so).`);
  } else if (r) {
    parts.push(`Replaying the link's run: ${n(r.pending, "change")} to come, the next after step ${r.next}; take the same `
      + "steps for the same numbers (a change of your own before then drops the rest).");
  }
  if (recorded.total > recorded.changes.length) {
    parts.push(`This page's link carries the first ${recorded.changes.length} of this run's ${recorded.total} changes; `
      + "to share them all, export its Python script.");
  }
  const text = parts.join(" ");
  if ($("link-status").textContent !== text) $("link-status").textContent = text;
}

function config() {
  const c = {};
  for (const k of ["dataset", "problem", "features", "hidden", "activation", "lr", "regularization",
    "reg_rate", "noise", "train_ratio", "batch_size", "seed", "preset", "loss"]) c[k] = state[k];
  c.grid = GRID;
  if (state.preset === "lecture") return { preset: "lecture", lr: c.lr, regularization: c.regularization,
    reg_rate: c.reg_rate, seed: c.seed, grid: GRID, batch_size: c.batch_size, loss: c.loss };
  return c;
}

// ---------------------------------------------------------------- the server
// clears: false for the requests the page sends on its own (the play loop's train, the explain
// panel's refresh), which no error is over by: only a request the user started clears one
async function api(path, body, { clears = true } = {}) {
  const opts = { headers: { "X-Glassnet-Token": TOKEN } };
  if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const sent = ++requests;   // (numbered: only an answer to a request sent after an error clears it)
  let r, out;
  try {
    r = await fetch(path, opts);
  } catch {   // the browser's bare "Failed to fetch": say what it means here
    throw new Error("The glassnet playground server does not answer: was it stopped? Start it "
      + "again ('glassnet playground') and open the new URL it prints (a new token). If it "
      + "runs, this computer may hold more connections than it takes (--max-per-client, "
      + "24 by default: many tabs): close some tabs and reload.");
  }
  try {
    out = await r.json();
  } catch {
    throw new Error(`The server's answer to ${path} was not JSON (HTTP ${r.status}).`);
  }
  if (!r.ok) {   // a 4xx: the server refused what was asked; a 5xx: its fault
    const message = out.error || r.statusText;
    throw r.status < 500 ? new Refusal(message) : new Error(message);
  }
  // an error is over once a request sent after it is answered (it stayed up, stale, beside a
  // weight set right after a refused one); an answer to a request sent before it (a slow
  // train or explain) is no news of it
  if (clears && reported && sent > reportedAt && $("status").textContent === reported) report(null);
  return out;
}

// what the user asked and the page or the server refused (the only input removed, a weight
// typed out of range, a setting the server refuses): said on the status line and logged as a
// warning; an error the page did not expect (a bug, a server fault) stays a console error
// (every refusal was a console error too, for a student's ordinary click)
class Refusal extends Error {}

let requests = 0;     // the api() requests sent so far
let reported = "";    // the error the status line shows, from report()
let reportedAt = 0;   // the requests sent when it was reported
function report(err) {
  reported = err ? String(err.message || err) : "";
  reportedAt = requests;
  say(reported, "error");
  if (err) (err instanceof Refusal ? console.warn : console.error)(err);
}

// news the user should read (not an error): on the status line, cleared as an error is, by the
// answer to the next request the user starts
function note(text) {
  reported = text;
  reportedAt = requests;
  say(text, "note");
}

// the status line's text, read out by a screen reader: an error (a refusal, a diverged run) as
// an alert, in red; a note (the Lecture preset left, a link's notes) politely, not in red
function say(text, kind) {
  const el = $("status");
  const alert = kind === "error" && text !== "";
  el.setAttribute("role", alert ? "alert" : "status");
  el.setAttribute("aria-live", alert ? "assertive" : "polite");
  el.classList.toggle("note", kind === "note");
  el.textContent = text;
}

// one request at a time, in order
function queue(fn) {
  busy = busy.then(fn).catch((e) => { report(e); setPlaying(false); });
  return busy;
}

let restarts = 0;   // restart() calls so far: only the latest one makes a run (clicks can outpace runs)
const equal = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// the runs this page made and shows no more (the one before the current, one made for settings
// changed again meanwhile): the next /api/run drops them, and a page closed or reloaded drops its
// own (below), so the server keeps the pages' current runs, not one per click (clicks in one tab
// would push out the run of another)
let leftBehind = [];
window.addEventListener("pagehide", (ev) => {
  if (ev.persisted || !run) return;   // (kept for a page the back button may bring back)
  fetch("/api/drop", { method: "POST", keepalive: true, body: JSON.stringify({ runs: [...leftBehind, run.id] }),
    headers: { "X-Glassnet-Token": TOKEN, "Content-Type": "application/json" } }).catch(() => {});
});

async function newRun(id) {
  const sent = structuredClone(state);
  const replaces = leftBehind.slice();
  const replay = linkReplay ? { changes: linkReplay.changes } : {};
  // supersedes: the run shown until now, kept for late answers but the first to go for room
  const out = await api("/api/run", { config: config(), replaces, supersedes: run ? [run.id] : [], ...replay });
  leftBehind = leftBehind.filter((r) => !replaces.includes(r));   // dropped by the server now
  if (id !== restarts) {   // the settings changed again meanwhile: the next restart() shows them
    leftBehind.push(out.run);
    return;
  }
  if (run) leftBehind.push(run.id);
  // the chosen data point stays where the data are the same (a network changed: a neuron, a
  // layer, an activation, a feature; it jumped back to the first training point, unsaid)
  const keep = run && selected.point !== null && sameData(run.data, out.data);
  // a click that left the lecture preset (a feature, a neuron, a dataset) is said: the slide's
  // network, weights and four points were gone without a word
  const leftLecture = run?.config.preset === "lecture" && out.config.preset !== "lecture" && run.config;
  run = { id: out.run, config: out.config, initial: out.initial, data: out.data };
  recorded = { changes: out.frame.changes, total: out.frame.changes_total };
  replayDropped = null;
  // the server's checked settings win (the lecture preset fixes the network), except one changed
  // while the run was being made (a learning rate, say: its own call sends it); copies, so that
  // changing the controls' arrays in place never changes the run's
  for (const k of Object.keys(out.config)) {
    if (k in state && equal(state[k], sent[k])) state[k] = structuredClone(out.config[k]);
  }
  selected = { point: keep ? selected.point : run.data.train[0] ?? 0, target: null };
  showRuns(out.runs);
  writeHash(out.frame.replay);
  syncControls();
  buildNetwork();
  exportLinks();
  show(out);
  clearUpdate("");
  $("explain").innerHTML = `<p class="hint">${EXPLAIN_HINT}</p>`;
  report(null);
  if (leftLecture) note(`The Lecture preset is left: the slide's 2-2-1 network and its weights are gone, and `
    + `this is a new run with random starting weights on ${out.data.points.length} ${dataWord(run.config.dataset)} points${backToDefaults(leftLecture, run.config)}. The Lecture button brings the slide's network back.`);
}

// the preset's data and training settings that went back to the defaults when it was left
// (they stayed, unsaid: the next dataset had no test points, a ratio of 100 %)
function backToDefaults(was, now) {
  const words = { train_ratio: (v) => `ratio ${v}%`, batch_size: (v) => `batch size ${v}`,
    loss: (v) => `loss ${LOSS_WORDS[v]}` };
  const back = Object.keys(words).filter((k) => was[k] !== now[k]).map((k) => `${words[k](now[k])} (the preset's: ${words[k](was[k]).replace(/^\S+ (size )?/, "")})`);
  return back.length ? `, with the default ${back.join(", ")}` : "";
}

// the explain panel's hint, before a neuron, an input or an edge is chosen (index.html's too)
const EXPLAIN_HINT = "Click or tap a neuron or an edge in the network (shift-click or tap an input), "
  + "or reach one with Tab and press Enter.";

// the same points, targets and split: the same data (a point chosen on them stays chosen)
const sameData = (a, b) => equal(a.points, b.points) && equal(a.targets, b.targets)
  && equal(a.train, b.train) && equal(a.test, b.test);

// the server's limit on the runs it keeps, beside the export buttons; a new run that pushed out
// the runs used least recently (another page's, or a script's) says so there
function showRuns(r) {
  if (!r) return;
  const el = $("runs-info");
  const n = r.dropped_now;
  el.textContent = `Runs kept: ${r.held} of ${r.max}` + (n ? `; this new run pushed out the ${n === 1 ? "run" : n + " runs"} `
    + "used least recently (its page says so and must reload)" : "");
  el.classList.toggle("note", n > 0);
}

// replay: the run of the link (the page's start, the hash changed by hand, Reset): its changes
// are sent too, from its starting settings; any other new run (new settings) has none
function restart(replay = false) {
  const id = ++restarts;
  if (!replay) linkReplay = null;
  else if (linkReplay) Object.assign(state, linkReplay.start);
  return queue(async () => {
    if (id !== restarts) return;   // a later click asked for newer settings: that call sends them
    const replaying = linkReplay !== null;
    try {
      await newRun(id);
      if (id === restarts && linkNotes.length) say(linkNote(), "note");
    } catch (e) {
      if (id !== restarts) throw e;   // newer settings are on their way
      if (replaying && e instanceof Refusal) {   // the link's changes (or its settings) refused
        linkReplay = null;
        try {
          await newRun(id);
          say(`The link's changes were refused (${e.message}); its settings are shown without them, so the `
            + "same steps will not give the link's numbers." + (linkNotes.length ? " " + linkNote() : ""), "error");
          return;
        } catch { /* its settings are refused too: as any link's, below */ }
      }
      if (run) {          // a refused change: the current run stays, and so do its controls
        for (const k of Object.keys(run.config)) if (k in state) state[k] = structuredClone(run.config[k]);
        writeHash(); syncControls(); buildNetwork(); drawNetwork();
        // a link's (the hash changed) notes are said beside its refusal (#lr=abc&lr=0.3: that
        // it gave 0.3 too was lost, and said with a later run's status)
        if (linkNotes.length) e.message += " " + linkNote();
        throw e;
      }
      // a link whose settings the server refuses: say so, and start from the defaults
      state = structuredClone(DEFAULTS);
      await newRun(id);
      say(`The link's settings were refused (${e.message}); the defaults are shown.`
        + (linkNotes.length ? " " + linkNote() : ""), "error");
    }
  });
}

// the link's notes as one sentence, said once
function linkNote() {
  const text = linkNotes.join("; ");
  linkNotes = [];
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}

// ---------------------------------------------------------------- controls
function syncControls() {
  const fmtSel = (id, v) => {
    const sel = $(id);
    const want = String(v);
    if (![...sel.options].some((o) => (o.value || o.text) === want)) sel.add(new Option(want, want));
    sel.value = want;
  };
  fmtSel("lr", state.lr); fmtSel("reg_rate", state.reg_rate);
  for (const id of ["activation", "regularization", "problem", "loss"]) $(id).value = state[id];
  // regression trains on ½(ŷ − y)² alone (the control shows it, greyed out)
  $("loss").disabled = state.problem === "regression";
  $("loss").title = state.problem === "regression" ? "Regression trains on \u00bd(\u0177 \u2212 y)\u00b2, its only loss here"
    : "The loss the network trains on and the slides' numbers use (the Lecture preset: the slides' \u00bd(\u0177 \u2212 y)\u00b2)";
  // the lecture's four points: no noise, every one for training (the sliders said otherwise,
  // and moving one left the preset); the batch size stays the preset's to choose
  for (const id of ["noise", "train_ratio"]) {
    $(id).disabled = state.preset === "lecture";
    $(id).title = state.preset === "lecture" ? "The Lecture preset's data are the slide's four points, every one for "
      + "training, without noise; pick a dataset to change them" : "";
  }
  for (const id of ["train_ratio", "noise", "batch_size"]) {
    // a link (or the API) may hold a value past the slider's own marks (a batch of 100, noise
    // 7): the slider widens, or takes steps of 1, to show it (else it shows a value the run
    // does not use, and moving it jumps); a value within the marks gets them back
    const el = $(id), v = state[id];
    el.dataset.max ??= el.max; el.dataset.step ??= el.step;
    el.max = Math.max(+el.dataset.max, v);
    el.step = (v - +el.min) % +el.dataset.step === 0 ? el.dataset.step : "1";
    el.value = v;
    $(id + "_v").textContent = id === "train_ratio" ? v + "%" : v;
  }
  $("seed_v").textContent = state.seed;
  $("show_test").checked = state.show_test;
  $("discretize").checked = state.discretize;
  $("lecture").classList.toggle("selected", state.preset === "lecture");
  $("lecture").setAttribute("aria-pressed", String(state.preset === "lecture"));
  // the lecture's four points and slide weights take no seed: a new one would change nothing
  $("regenerate").disabled = state.preset === "lecture";
  $("regenerate").title = state.preset === "lecture" ? "The lecture preset's data and weights are the slide's"
    : "New data and new starting weights";
  for (const b of document.querySelectorAll("#datasets button")) {   // (said, not only drawn)
    b.classList.toggle("selected", b.dataset.name === state.dataset);
    b.setAttribute("aria-pressed", String(b.dataset.name === state.dataset));
  }
  for (const b of document.querySelectorAll("#datasets button"))
    b.hidden = !(state.problem === "classification" ? CLASSIFICATION : REGRESSION).includes(b.dataset.name);
  const n = state.hidden.length;
  $("layers-title").textContent = n + (n === 1 ? " hidden layer" : " hidden layers");
  // a focused button now disabled (6 layers, or none) gives the focus to the other one (it
  // fell to the page's body)
  for (const [id, off, other] of [["add-layer", n >= 6, "remove-layer"], ["remove-layer", n <= 0, "add-layer"]]) {
    if (off && document.activeElement === $(id) && !$(other).disabled) $(other).focus();
    $(id).disabled = off;
  }
  $("acc-row").hidden = state.problem !== "classification";
}

function change(key, value) {
  state[key] = value;
  if (TRAINING_ONLY.includes(key) && run) {
    return queue(async () => {
      const out = await api("/api/settings", { run: run.id, [key]: value });
      run.config = out.config;
      report(null);
      dropReplay(out);
      if (frame) frame.replay = out.replay;
      // the controls show the settings in force (a replayed change shown meanwhile: this one's)
      if (TRAINING_ONLY.some((k) => state[k] !== out.config[k])) {
        for (const k of TRAINING_ONLY) state[k] = out.config[k];
        syncControls();
      }
      recordChanges(out);
      showLink();
      // the explain panel's step (w - γ·dL/dw, the penalty) is the new setting's (it kept
      // showing the old learning rate's step until the next click); not for a diverged
      // network, whose numbers are NaN (the status line says so instead, as in show())
      if (selected.target && !frame?.diverged) await explainSelected();
    });
  }
  if (key !== "seed" && !TRAINING_ONLY.includes(key) && !IN_PRESET.includes(key)) leavePreset(key);
  return restart();
}

// a change of the user's own before a link's last replayed change: the server dropped the rest
// (out.replay_dropped), said on the link's status line (and Reset no longer replays them)
function dropReplay(out) {
  if (!out.replay_dropped) return;
  replayDropped = out.replay_dropped;
  linkReplay = null;
}

// a change of the network or the data leaves the Lecture preset: its ratio (100 %), batch size
// (4) and loss (the slides') go back to the defaults, but for the one changed (said by newRun)
function leavePreset(key) {
  if (state.preset === "lecture") {
    for (const k of ["train_ratio", "batch_size"]) if (k !== key) state[k] = DEFAULTS[k];
    if (key !== "loss") state.loss = state.problem === "regression" ? "half_mse" : DEFAULTS.loss;
  }
  state.preset = "none";
}

function changeNetwork(mutate) {
  leavePreset("hidden");
  mutate(state.hidden);
  return restart();
}

function setPlaying(on) {
  playing = on;
  $("play").classList.toggle("playing", on);
  $("play").innerHTML = on ? "&#x275A;&#x275A;" : "&#x25B6;";
  $("play").setAttribute("aria-label", on ? "pause" : "play");
  if (on) { $("play-status").textContent = $("explain-status").textContent = ""; sayPause = false; loop(++plays); }
}

// play / pause (the button, the space key, a diverged step). While playing, the side panels
// (the hidden-layer table and space, the slides' numbers) are asked for at most 4 times a
// second, so the last frame's may be older than the epoch shown: once more when play stops
function togglePlaying() {
  if (!playing) return setPlaying(true);
  setPlaying(false);
  sayPause = true;   // (said once the last frame is shown: after the one on its way)
  if (!framing) queue(async () => { await refreshSide(); announcePause(); });
}

// the epoch counter changes every frame and is no live region (a screen reader queued
// "000,012, 000,013, ..." as long as play ran); where play stops, the epoch and the losses
// are said once, politely
let sayPause = false;   // the pause button pressed: its epoch to be said
function announcePause() {
  if (playing || !frame || !sayPause) return;
  sayPause = false;
  $("play-status").textContent = `Paused at epoch ${frame.epoch}: training loss ${$("train-loss").textContent}, `
    + `test loss ${$("test-loss").textContent}.`;
}

async function refreshSide() {
  if (playing || !run) return;   // playing again: the loop asks for them itself
  const out = await api("/api/view", { run: run.id }, { clears: false });
  // (the slides' numbers are asked for beside the queue, as while playing: a slow answer
  // holds back no click)
  if (!playing) show(out, true);
}

// one frame after the other; a pause and a new play within a frame end the old loop (it would
// go on beside the new one, and each extra loop another request at a time)
let plays = 0, framing = false;
function loop(play) {
  if (!playing || play !== plays) return;
  queue(async () => {
    if (!playing || play !== plays || !run) return;
    const side = performance.now() - lastSide > 250;   // the side panels 4 times a second
    if (side) lastSide = performance.now();
    framing = true;
    try {
      show(await api("/api/train", { run: run.id, epochs: 1, side }, { clears: false }), true);
      if (!playing && !side) await refreshSide();   // paused meanwhile: this epoch's panels
      announcePause();   // (paused meanwhile: its epoch said)
    } finally { framing = false; }
  }).then(() => { if (playing && play === plays) setTimeout(() => loop(play), 0); });
}

function wire() {
  $("play").onclick = togglePlaying;
  $("step").onclick = () => { setPlaying(false); queue(async () => {
    const out = await api("/api/step", { run: run.id });
    show(out);
    // null: the step diverged and was not taken: the table shown was a step ago, or older
    if (out.update) showUpdate(out.update);
    else {
      const at = frame.step, refused = (s) => (s === at ? `Step ${at + 1} was refused (the training diverged: the status line `
        + `says why), so no step was taken: the weights are still those after step ${at}.`
        : s > at ? `Step ${at + 1} was refused (the training diverged); ${s - at} more steps were taken since.` : "");
      clearUpdate(refused(at), refused, updateStep ?? updateGone?.from ?? null);
    }
  }); };
  // (a link's run starts again with its changes, unless a change of the user's own dropped them)
  $("reset").onclick = () => { setPlaying(false); restart(true); };
  $("regenerate").onclick = () => { setPlaying(false); change("seed", (state.seed + 1) % 2147483647); };
  $("lr").onchange = (e) => change("lr", +e.target.value);
  $("reg_rate").onchange = (e) => change("reg_rate", +e.target.value);
  $("regularization").onchange = (e) => change("regularization", e.target.value);
  $("activation").onchange = (e) => change("activation", e.target.value);
  $("loss").onchange = (e) => change("loss", e.target.value);
  $("problem").onchange = (e) => {
    state.dataset = e.target.value === "classification" ? "circle" : "reg-plane";
    state.loss = e.target.value === "classification" ? DEFAULTS.loss : "half_mse";
    change("problem", e.target.value);
  };
  for (const id of ["train_ratio", "noise", "batch_size"]) {
    $(id).oninput = (e) => { $(id + "_v").textContent = e.target.value + (id === "train_ratio" ? "%" : ""); };
    $(id).onchange = (e) => change(id, +e.target.value);
  }
  $("show_test").onchange = (e) => {   // the big plot and the hidden feature space, paused too
    state.show_test = e.target.checked; writeHash(); drawBoundary(); drawHiddenSpace(hiddenSpace);
  };
  $("discretize").onchange = (e) => {   // the big plot and the output neuron's map, paused too
    state.discretize = e.target.checked; writeHash(); drawNetwork(); drawBoundary();
  };
  $("add-layer").onclick = () => changeNetwork((h) => { if (h.length < 6) h.push(2); });
  $("remove-layer").onclick = () => changeNetwork((h) => { h.pop(); });
  $("lecture").onclick = () => {   // the slides' setup: their learning rate, no penalty
    setPlaying(false);
    Object.assign(state, { preset: "lecture", ...LECTURE });
    restart();
  };
  $("boundary").onclick = pickPoint;
  // the keyboard's way to pick a point: Tab to the plot, then the arrow keys move the ring to
  // the nearest point that way (Home: the first training point). Only where the plot has the
  // keyboard's focus (Tab, a screen reader): after a click on it the arrows scroll the page
  // as before (they moved the point the mouse had chosen, and the page no longer scrolled)
  const plot = $("boundary");
  let pressed = false;   // a pointer pressed on the plot: its focus is the pointer's
  // (its focus ring is drawn for the same focus: .keys, not :focus-visible, which a key
  // pressed after a click turns on)
  const keys = (on) => { plotKeys = on; plot.classList.toggle("keys", on); };
  plot.addEventListener("pointerdown", () => { pressed = true; keys(false); });
  plot.addEventListener("focus", () => { keys(!pressed); pressed = false; });
  plot.addEventListener("blur", () => { keys(false); pressed = false; });
  plot.addEventListener("keydown", (ev) => {
    if (!plotKeys || ev.ctrlKey || ev.metaKey || ev.altKey || !run) return;
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
    if (!dir && ev.key !== "Home") return;
    ev.preventDefault();   // (the arrows scrolled the page)
    if (dir) stepPoint(...dir);
    else selectPoint(run.data.train[0] ?? 0);
    sayPoint(selected.point);   // (the plot's label is not read again)
  });
  // space: play / pause wherever the focus is, except where the key types (a text box, a
  // list). On a button or a box just clicked with the mouse, space would click it once more
  // (a dataset or the Lecture preset chosen again, one more step, a new seed): that default
  // is kept from it, on the key's press and on its release, where the browser clicks. Enter
  // still clicks a focused button, and ticks a focused box. "s": one step.
  const typesIn = (t) => {
    const input = t.closest("input");
    return t.closest("select, textarea, [contenteditable]") ||
      (input && !["range", "button", "checkbox", "radio", "submit", "reset"].includes(input.type));
  };
  const target = (ev) => (ev.target instanceof Element ? ev.target : document.body);
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = target(ev);
    if (typesIn(t)) return;
    if (ev.key === " ") {
      ev.preventDefault();
      if (!ev.repeat) togglePlaying();   // held down: one toggle
    } else if (ev.key === "s") $("step").click();
    else if (ev.key === "Enter" && t.matches("input[type=checkbox], input[type=radio]")) {
      ev.preventDefault();
      t.click();
    }
  });
  document.addEventListener("keyup", (ev) => {
    if (ev.key === " " && !typesIn(target(ev))) ev.preventDefault();
  });
  window.addEventListener("hashchange", () => { state = readHash(); setPlaying(false); restart(true); });
}

// ---------------------------------------------------------------- colours
const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
function colour(v) {       // v in [-1, 1] -> [r, g, b]
  v = Math.max(-1, Math.min(1, v));
  const [a, b, t] = v < 0 ? [MID, NEG, -v] : [MID, POS, v];
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
const css = (v) => { const c = colour(v); return `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`; };

// a heat map from the server: bytes b = round((s + 1) * 127.5) of values s on the colour scale
function scaleValues(b64) {
  const bin = atob(b64);
  const s = new Float32Array(bin.length);
  for (let i = 0; i < bin.length; i++) s[i] = bin.charCodeAt(i) / 127.5 - 1;
  return s;
}

// the network's output on the colour scale: as is, or discretized to -1 / 1 (the class:
// 1 where y_hat > 0.5, as glassnet predicts; the server sends a y_hat of exactly 0.5 as a byte
// below 128, read as a little below 0)
const shade = (s) => (state.discretize ? (s > 0 ? 1 : -1) : s);
const same = (s) => s;

// a canvas drawn for the screen's pixels: its backing store w x h CSS pixels times the
// device's pixel ratio (2 on a phone or a Retina screen, where a 1x store was drawn blurred),
// its context scaled so that the drawing code speaks CSS pixels; w x h: the size the
// page's HTML gave it (kept in its dataset), or the one asked for (a node's thumbnail).
// maxRatio: the heat maps' stores stop at 2 device pixels a CSS pixel (MAX_HEAT_RATIO): at 3
// (a phone) the output plot's 900 x 900 store cost 12 to 14 ms a drawing, 2 ms at 2
const MAX_HEAT_RATIO = 2;
function hidpi(canvas, w, h, maxRatio = Infinity) {
  canvas.dataset.w ??= canvas.width; canvas.dataset.h ??= canvas.height;
  w ??= +canvas.dataset.w; h ??= +canvas.dataset.h;
  const r = Math.min(window.devicePixelRatio || 1, maxRatio);
  const W = Math.round(w * r), H = Math.round(h * r);
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(W / w, 0, 0, H / h, 0, 0);
  return { ctx, w, h };
}

const offscreen = new Map();   // n -> [canvas, context, ImageData], reused frame after frame
function paint(canvas, values, n, scale, size) {   // values: n*n, row 0 at the top
  if (!offscreen.has(n)) {
    const c = document.createElement("canvas");
    c.width = c.height = n;
    const x = c.getContext("2d");
    offscreen.set(n, [c, x, x.createImageData(n, n)]);
  }
  const [off, ctx, img] = offscreen.get(n);
  for (let i = 0; i < n * n; i++) {
    const c = colour(scale(values[i]));
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const { ctx: dst, w, h } = hidpi(canvas, size, size, MAX_HEAT_RATIO);
  dst.imageSmoothingEnabled = true;
  dst.drawImage(off, 0, 0, w, h);
  return dst;
}

// ---------------------------------------------------------------- network drawing
const NODE = 40, COL0 = 100, LAYER_GAP = 0.82, COL_MOST = 240;
const NAME_FONT = 10;   // px: a neuron's name under its node (.node .name)
let nodeSize = NODE; // a node's width and height: smaller where many layers share little width
let nodeEls = [];    // nodeEls[layer][j]: the node's div (layer 0: the inputs, all 7 features)
let edgeEls = [];

// the widest of texts in the page's font at px pixels (a neuron's name: its column needs it)
function textWidth(texts, px) {
  textWidth.ctx ??= document.createElement("canvas").getContext("2d");
  const ctx = textWidth.ctx;
  ctx.font = `${px}px ${getComputedStyle(document.body).fontFamily}`;
  return Math.max(0, ...texts.map((t) => ctx.measureText(t).width));
}

const FINGER = window.matchMedia("(pointer: coarse), (max-width: 560px)");   // (style.css's)

function layout() {
  const net = $("network");
  const box = net.clientWidth || 600;
  const hidden = run.config.hidden;
  const cols = hidden.length + 2;
  const span = Math.max(1, cols - 1);
  // six layers on a projector's 1024 pixels leave 43 pixels a column: 40-pixel nodes would
  // touch, hiding every edge between them; nodes shrink (to 26) so that edges show
  const size = Math.max(26, Math.min(NODE, Math.floor(((box - COL0 - NODE - 40) / span) * 0.6)));
  // a column needs room for its nodes' names (a[6]_8, centred under a 26-pixel node) and
  // for the edges beside them; where the box is narrower (a phone), the drawing is laid out
  // that wide and scaled down to the box, so that no name is cut off or drawn over
  const label = textWidth(run.data.names.neurons.flat(), NAME_FONT) + 6;
  const need = Math.max(42, size + 16, Math.ceil(label) + 8);
  // at most COL_MOST a column on a wide screen (2560 pixels drew a 2-4-2-1 network 2,000
  // wide, its edges long thin curves): the drawing then keeps to the box's left part
  const width = Math.max(Math.min(box, COL0 + span * COL_MOST + size + 40), Math.ceil(COL0 + span * need + size + 40));
  const xOf = (l) => COL0 + (width - COL0 - size - 40) * (l / span);
  const scale = Math.min(1, box / width);
  // a layer's + and − are 24 pixels on the screen at least (a finger's target, WCAG 2.5.8):
  // in the drawing 24 / scale, where it is scaled down; many layers on a narrow screen
  // (tight) stack them, one above the other, and the nodes start below them
  const button = Math.ceil(24 / scale), tight = xOf(1) - xOf(0) < 72;
  // (the control's top at -6: its two buttons and their gap, its number's 14 pixels, 8 clear)
  const top = tight ? Math.max(36, -6 + 2 * button + 2 + 2 + 14 + 8) : 36;
  const yOf = (j) => top + j * 54;
  return { xOf, yOf, cols, width, size, scale, button, tight };
}

function buildNetwork() {
  const net = $("network"), draw = $("net-draw");
  const focused = focusKey(document.activeElement);   // (given back below: Tab's place is kept)
  const focusedLayer = focused && document.activeElement.matches(".btns button") && document.activeElement.dataset.layer;
  for (const el of [...draw.querySelectorAll(".node, .layer-ctl, .feature-use")]) el.remove();
  const svg = $("edges");
  svg.innerHTML = "";
  nodeEls = [];
  edgeEls = [];
  hover = null;   // the hovered node is gone (its index may now be another node's)
  const { xOf, yOf, size, width, scale, button, tight } = layout();
  nodeSize = size;
  net.style.setProperty("--node", size + "px");
  draw.style.width = width + "px";
  draw.style.transform = scale < 1 ? `scale(${scale})` : "";
  // the header ("2 hidden layers", its + and −) centred over the hidden layers where the
  // drawing keeps to the box's left part (a wide screen): it was over empty space
  const head = document.querySelector(".layers-head"), n = run.config.hidden.length;
  head.style.maxWidth = "";
  if (scale === 1 && width < net.clientWidth) {
    const left = head.getBoundingClientRect().left - net.getBoundingClientRect().left;
    const mid = n ? (xOf(1) + xOf(n)) / 2 + size / 2 : (xOf(0) + xOf(1)) / 2 + size / 2;
    head.style.maxWidth = Math.max(0, Math.round(2 * (mid - left))) + "px";
  }
  const sizes = [run.config.features.length, ...run.config.hidden, 1];
  // many layers on a narrow screen (tight): each layer's control its number alone, its
  // buttons one above the other
  draw.style.setProperty("--button", button + "px");   // (a layer's + and −: layout())
  // inputs: every feature, the used ones lit. A box left of each turns it on or off (a mouse's
  // plain click on the input too, as TF Playground's); a tap, a shift-click or Enter shows its
  // numbers (a tap toggled it: its numbers were out of a touch screen's reach, and a tap on
  // the lecture's x1 dropped the slide's network)
  // (a finger's box: 24 pixels on the screen, as a layer's + and −; a mouse's: 16 and its margins)
  const boxSize = FINGER.matches ? button : 20;
  const boxLeft = xOf(0) - 8 - textWidth(Object.values(FEATURE_LABEL), 12) - 6 - boxSize;   // (left of the widest name)
  nodeEls.push(FEATURES.map((f, j) => {
    const used = run.config.features.includes(f);
    const box = document.createElement("input");
    box.type = "checkbox"; box.className = "feature-use"; box.checked = used;
    box.dataset.feature = f;
    box.setAttribute("aria-label", `use ${FEATURE_LABEL[f]} as an input`);
    box.title = (used ? "Untick to remove " : "Tick to use ") + FEATURE_LABEL[f];
    box.style.left = Math.max(2, boxLeft) + "px";
    box.style.top = (yOf(j) + size / 2 - boxSize / 2) + "px";
    box.onclick = (ev) => {
      ev.stopPropagation();
      if (!toggleFeature(f)) box.checked = used;   // refused: it stays as it is
    };
    draw.append(box);
    const el = node(xOf(0), yOf(j), "input" + (used ? "" : " off"));
    el.dataset.feature = f;
    const lab = document.createElement("span");
    lab.className = "label"; lab.textContent = FEATURE_LABEL[f];
    el.append(lab);
    const only = run.config.features.length === 1 && run.config.features[0] === f;
    el.title = only ? "The network's only input: use another feature first, then this one can go"
      : "Click to " + (used ? "remove" : "use") + " this feature";
    const name = used ? run.data.names.inputs[run.config.features.indexOf(f)] : "";
    // (one not in use has no numbers: the Tab key passes it, its box is the way to use it)
    if (used) asButton(el, `input ${name} (${FEATURE_LABEL[f]}): show its numbers for the chosen point`, () => showInput(f));
    // only a mouse's plain click (its button pressed on this node) toggles the feature; any
    // other activation shows its numbers, as its label says: a tap, a pen, a shift-click, Enter,
    // and a screen reader's "activate" (a click with no pointer pressed before it, which
    // dropped the input and the Lecture preset)
    let mouseDown = false;
    el.onpointerdown = (ev) => { mouseDown = ev.pointerType === "mouse" && ev.button === 0; };
    el.onclick = (ev) => {
      const mouse = mouseDown && ev.detail > 0 && (ev.pointerType === undefined || ev.pointerType === "mouse");
      mouseDown = false;
      if (mouse && !ev.shiftKey) toggleFeature(f);
      else showInput(f);
    };
    return el;
  }));
  rove([...draw.querySelectorAll(".feature-use")]);
  rove(nodeEls[0].filter((el) => el.hasAttribute("role")));   // (the inputs in use)
  // hidden layers and the output
  for (let l = 1; l < sizes.length; l++) {
    const isOut = l === sizes.length - 1;
    if (!isOut) {
      const ctl = document.createElement("div");
      ctl.className = "layer-ctl" + (tight ? " tight" : "");
      ctl.title = sizes[l] + (sizes[l] === 1 ? " neuron" : " neurons");
      const ctlWidth = tight ? button : Math.max(70, 2 * button + 4);   // (.layer-ctl)
      ctl.style.width = ctlWidth + "px";
      ctl.style.left = (xOf(l) + nodeSize / 2 - ctlWidth / 2) + "px";  // (centred)
      ctl.style.top = "-6px";
      const btns = document.createElement("div");
      btns.className = "btns";
      const plus = roundTiny("+", "Add a neuron", `add a neuron to hidden layer ${l}`,
        () => changeNetwork((h) => { if (h[l - 1] < 8) h[l - 1]++; }));
      const minus = roundTiny("\u2212", "Remove a neuron", `remove a neuron from hidden layer ${l}`,
        () => changeNetwork((h) => { if (h[l - 1] > 1) h[l - 1]--; }));
      plus.disabled = sizes[l] >= 8; minus.disabled = sizes[l] <= 1;
      plus.classList.add("add-neuron"); minus.classList.add("remove-neuron");
      plus.dataset.layer = minus.dataset.layer = l;
      btns.append(plus, minus);
      const lab = document.createElement("span");
      lab.textContent = tight ? String(sizes[l]) : ctl.title;
      ctl.append(btns, lab);
      draw.append(ctl);
    }
    nodeEls.push(Array.from({ length: sizes[l] }, (_, j) => {
      const el = node(xOf(l), yOf(j), isOut ? "output" : "hidden");
      el.dataset.layer = l; el.dataset.index = j;
      const nm = document.createElement("span");
      nm.className = "name";
      nm.textContent = run.data.names.neurons[l - 1][j];
      el.append(nm);
      el.onclick = () => choose({ kind: "neuron", layer: l, index: j });
      asButton(el, `neuron ${run.data.names.neurons[l - 1][j]}${isOut ? ", the output" : ""}: show its numbers for the `
        + "chosen point", () => choose({ kind: "neuron", layer: l, index: j }));
      return el;
    }));
    rove(nodeEls[l]);
  }
  // edges: from every used input / neuron to every neuron of the next layer
  const used = (l) => (l === 0 ? run.config.features.map((f) => nodeEls[0][FEATURES.indexOf(f)]) : nodeEls[l]);
  for (let l = 1; l < sizes.length; l++) {
    const from = used(l - 1);
    edgeEls.push(from.map((a, i) => nodeEls[l].map((b, j) => edge(a, b, l, i, j))));
    rove([...svg.querySelectorAll(`path.hit[data-layer="${l}"]`)]);
  }
  const height = Math.max(...[FEATURES.length, ...sizes].map((n) => yOf(n - 1) + nodeSize + 24));
  draw.style.height = height + "px";
  net.style.height = Math.ceil(height * scale) + "px";
  svg.setAttribute("height", height);
  draw.append(svg);   // (after the nodes: the Tab key reaches the inputs and neurons first)
  markChosen();
  if (focused) {
    const again = [...draw.querySelectorAll(FOCUSABLE)].find((el) => focusKey(el) === focused && !el.disabled);
    // a layer's + or − now disabled (8 neurons, or 1): its other button (the focus fell to
    // the page's body, and Tab started over at the network's first box)
    const other = !focusedLayer ? null : draw.querySelector(`.btns button[data-layer="${focusedLayer}"]:not(:disabled)`);
    (again || other)?.focus();
  }
}

// a group of the network's keyboard stops (the features' boxes, the inputs in use, a layer's
// neurons, a layer's edges): one Tab stop, the arrow keys (Home, End) move within it, so that
// Tab passes a wide network in a few presses (a 6x8 network with 7 inputs had 459 stops, 384
// of them edges, before the output plot); the one focused last is the group's stop
function rove(els) {
  els.forEach((el, k) => {
    el.setAttribute("tabindex", k === 0 ? "0" : "-1");
    el.setAttribute("aria-describedby", "net-keys");
    el.addEventListener("focus", () => { for (const o of els) o.setAttribute("tabindex", o === el ? "0" : "-1"); });
    el.addEventListener("keydown", (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.shiftKey) return;
      const to = { ArrowDown: k + 1, ArrowRight: k + 1, ArrowUp: k - 1, ArrowLeft: k - 1, Home: 0, End: els.length - 1 }[ev.key];
      if (to === undefined) return;
      ev.preventDefault();   // (the page does not scroll)
      els[Math.max(0, Math.min(els.length - 1, to))].focus();
    });
  });
}

// the network's keyboard stops, and one's key: the same input's box, node, neuron, edge or
// layer button after the drawing is built again (a feature ticked with Enter, a neuron added:
// the focus fell back to the page's top, and Tab started over)
const FOCUSABLE = "[tabindex], button, input";
function focusKey(el) {
  if (!(el instanceof Element) || !$("net-draw").contains(el) || !el.matches(FOCUSABLE)) return null;
  // (a layer's + and − by their titles; a neuron's title changes with its bias, a box's when ticked)
  return `${el.tagName} ${el.tagName === "BUTTON" ? el.title : ""} ${JSON.stringify({ ...el.dataset })}`;
}

// an input's numbers (a shift-click, a tap, Enter); an input not in use has none: said
function showInput(f) {
  if (!run.config.features.includes(f)) {
    report(new Refusal(`${FEATURE_LABEL[f]} is not an input of the network, so it has no numbers: tick its box `
      + "(left of its name) to use it."));
    return;
  }
  choose({ kind: "neuron", layer: 0, index: run.config.features.indexOf(f) });
}

// a feature on or off (its box, a plain click on it): a new run; false where refused
function toggleFeature(f) {
  const on = state.features.includes(f);
  if (on && state.features.length === 1) {   // (a click that did nothing, without a word)
    report(new Refusal(`${FEATURE_LABEL[f]} is the network's only input, and a network needs one: `
      + "click another feature to use it, then this one can be removed."));
    return false;
  }
  state.features = on ? state.features.filter((x) => x !== f) : FEATURES.filter((x) => x === f || state.features.includes(x));
  leavePreset("features");
  restart();
  return true;
}

// a node or an edge as a button for the keyboard: Tab reaches it, Enter does what its click
// does (Space stays play / pause, as on every button of the page: a node clicked with the
// mouse keeps the focus, and space then plays), its focus is drawn (style.css)
function asButton(el, label, act) {
  el.setAttribute("tabindex", "0");   // (one of a group: rove() keeps one Tab stop of it)
  el.setAttribute("role", "button");
  el.setAttribute("aria-label", label);
  el.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    ev.preventDefault();
    if (!ev.repeat) act(ev);
  });
}

// a layer's + or −: its name says the action and the layer (a screen reader read "+", "−"
// for each layer alike)
function roundTiny(text, title, label, onclick) {
  const b = document.createElement("button");
  b.className = "round tiny"; b.textContent = text; b.title = title; b.onclick = onclick;
  b.setAttribute("aria-label", label);
  return b;
}

let hover = null;   // [layer, j]: the node whose output the big plot shows while hovered
function node(x, y, cls) {
  const el = document.createElement("div");
  el.className = "node " + cls;
  el.onmouseenter = () => {
    const l = el.dataset.layer === undefined ? 0 : +el.dataset.layer;
    const j = l === 0 ? run.config.features.indexOf(el.dataset.feature) : +el.dataset.index;
    hover = j >= 0 ? [l, j] : null;   // an input not in use has no map: the output then
    drawBoundary();
  };
  el.onmouseleave = () => { hover = null; drawBoundary(); };
  el.onfocus = el.onmouseenter;   // (the keyboard's hover: its map in the big plot)
  el.onblur = el.onmouseleave;
  el.style.left = x + "px"; el.style.top = y + "px";
  const c = document.createElement("canvas");
  c.width = c.height = 24;   // (drawn at the node's size times the pixel ratio: drawNetwork)
  el.append(c);
  $("net-draw").append(el);
  return el;
}

function edge(a, b, l, i, j) {
  const svg = $("edges");
  const x1 = a.offsetLeft + nodeSize, y1 = a.offsetTop + nodeSize / 2;
  const x2 = b.offsetLeft, y2 = b.offsetTop + nodeSize / 2;
  const mx = (x1 + x2) / 2;
  const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
  const hit = document.createElementNS(SVGNS, "path");
  hit.setAttribute("d", d); hit.setAttribute("class", "hit");
  const shown = document.createElementNS(SVGNS, "path");
  shown.setAttribute("d", d); shown.setAttribute("class", "shown");
  shown.dataset.layer = l; shown.dataset.from = i; shown.dataset.to = j;
  hit.dataset.layer = l; hit.dataset.from = i; hit.dataset.to = j;
  hit.onmousemove = (ev) => tooltip(ev, l, i, j);
  hit.onmouseleave = () => { $("tooltip").hidden = true; shown.classList.remove("hover"); };
  hit.onmouseenter = () => shown.classList.add("hover");
  hit.onclick = () => choose({ kind: "edge", layer: l, from: i, to: j });
  const names = run.data.names;
  const from = l === 1 ? names.inputs[i] : names.neurons[l - 2][i];
  asButton(hit, `weight ${names.weights[l - 1][i][j]} from ${from} into ${names.sums[l - 1][j]}: show its numbers `
    + "for the chosen point", () => choose({ kind: "edge", layer: l, from: i, to: j }));
  hit.addEventListener("focus", () => {   // drawn, and its value beside it, as on hover:
    // for the keyboard's focus only (a click or a tap focuses it too: the chosen edge's
    // black mark and its weight's colour were hidden under the focus's purple)
    if (!hit.matches(":focus-visible")) return;
    shown.classList.add("focused");
    const r = hit.getBoundingClientRect();
    tooltip({ clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 }, l, i, j);
  });
  hit.addEventListener("blur", () => { shown.classList.remove("focused"); $("tooltip").hidden = true; });
  svg.append(shown, hit);   // the hit path is on top, the drawn one below it
  return shown;
}

function tooltip(ev, l, i, j) {
  if (!frame) return;
  const w = frame.W[l - 1][i][j];
  const names = run.data.names;
  const from = l === 1 ? names.inputs[i] + " (" + FEATURE_LABEL[run.config.features[i]] + ")" : names.neurons[l - 2][i];
  const t = $("tooltip");
  t.textContent = `${names.weights[l - 1][i][j]} = ${fmt(w, 4)}   (${from} \u2192 ${names.sums[l - 1][j]})`;
  t.hidden = false;
  // beside the pointer, and inside the window (near its right edge: left of the pointer)
  const x = ev.clientX + 12 + t.offsetWidth > window.innerWidth - 4 ? ev.clientX - 12 - t.offsetWidth : ev.clientX + 12;
  t.style.left = Math.max(4, x) + "px"; t.style.top = ev.clientY + 12 + "px";
}

function drawNetwork() {
  if (!frame) return;
  // thumbnails: inputs (scaled by their largest value), neurons (clamped to [-1, 1])
  const T = Math.round(Math.sqrt(atob(frame.thumbs[0][0]).length));
  run.config.features.forEach((f, j) => {
    paint(nodeEls[0][FEATURES.indexOf(f)].querySelector("canvas"), scaleValues(frame.thumbs[0][j]), T, same, nodeSize - 2);
  });
  const L = frame.thumbs.length - 1;
  for (let l = 1; l <= L; l++) {
    frame.thumbs[l].forEach((b64, j) => {
      const el = nodeEls[l][j];
      if (!el) return;
      paint(el.querySelector("canvas"), scaleValues(b64), T, l === L ? shade : same, nodeSize - 2);
      el.querySelector(".name").textContent = run.data.names.neurons[l - 1][j];
      el.title = `${run.data.names.sums[l - 1][j]}: bias ${run.data.names.biases[l - 1][j]} = ${fmt(frame.b[l - 1][j], 4)}; `
        + (l === L && frame.scale ? `colours: ${frame.scale.words}` : `colours: ${run.data.names.neurons[l - 1][j]} orange negative, white 0, blue positive (clipped to [\u22121, 1])`);
    });
  }
  // edges: colour by sign, width by size
  edgeEls.forEach((layer, l) => layer.forEach((row, i) => row.forEach((p, j) => {
    const w = frame.W[l][i][j];
    // touch the drawing only when it changes visibly (each change repaints the network)
    const stroke = w >= 0 ? "#0877bd" : "#f59322";
    const width = (Math.round(4 * Math.min(10, 0.6 + 3 * Math.abs(w))) / 4).toFixed(2);
    if (p.getAttribute("stroke") !== stroke) p.setAttribute("stroke", stroke);
    if (p.getAttribute("stroke-width") !== width) p.setAttribute("stroke-width", width);
  })));
}

// ---------------------------------------------------------------- frames
let lossHistory = [];   // [epoch, train loss, test loss]: whole from a run or a step, appended while playing
let lastSide = 0;       // when the side panels (table, hidden space, explain) were last asked for
let diverged = "";      // the status line's divergence message, cleared when training recovers

function show(out, appended = false) {
  frame = out.frame;
  // the settings in force: a link's replayed change sets them after its step (the controls
  // show it); compared with the run's, which a change of the page's own sets when answered
  if (frame.training && TRAINING_ONLY.some((k) => frame.training[k] !== run.config[k])) {
    for (const k of TRAINING_ONLY) run.config[k] = state[k] = frame.training[k];
    syncControls();
  }
  recordChanges(frame);
  showLink();
  if (!appended) lossHistory = frame.history.slice();
  else {
    for (const p of frame.history) if (!lossHistory.length || p[0] > lossHistory[lossHistory.length - 1][0]) lossHistory.push(p);
    if (lossHistory.length > 2000) lossHistory = lossHistory.filter((p, i) => i % 2 === 0 || i >= 1000);
  }
  // the LAST STEP table is of a step before these weights (play took more): said, not shown,
  // and the count kept true on every frame of play (it kept the first frame's)
  if (updateStep !== null && frame.step !== updateStep) {
    const from = updateStep;
    const took = (s) => (s > from ? `Play took ${s - from} more step${s - from === 1 ? "" : "s"} after step ${from}, whose table was here.` : "");
    clearUpdate(took(frame.step), took, from);
  } else if (updateGone && frame.step !== updateGone.at) clearUpdate(updateGone.later(frame.step), updateGone.later, updateGone.from);
  const ep = String(frame.epoch).padStart(6, "0");
  $("epoch").textContent = ep.slice(0, 3) + "," + ep.slice(3);
  $("steps").textContent = frame.step + (frame.step === 1 ? " step" : " steps");
  // a loss of null is NaN or infinite (JSON has no word for them), or there are no points
  // (the server's word for one that is not finite: NaN or infinite; both where it sent none)
  const words = frame.loss_words || [null, null];
  const loss = (v, rows, word) => (v !== null ? fmt(v, 3) : rows.length ? word || "NaN / \u221e" : "- (no test points)");
  $("train-loss").textContent = loss(frame.train_loss, run.data.train, words[0]);
  $("test-loss").textContent = loss(frame.test_loss, run.data.test, words[1]);
  if (frame.diverged) {   // the server refused a step whose loss was NaN or inf: stop and say why
    if (playing) togglePlaying();
    say(frame.diverged, "error");
    $("explain-status").textContent = "";   // (its numbers are no more: NaN)
  } else if ($("status").textContent === diverged) say("", "error");
  diverged = frame.diverged || "";
  // (null: no test points, or a diverged network's NaN outputs, which have no class)
  if (frame.accuracy) $("accuracy").textContent = (run.data.test.length ? `${pct(frame.accuracy[1])} test, ` : "") + `${pct(frame.accuracy[0])} train`;
  if ("table" in out || !playing) summarisePlot();
  drawNetwork();
  drawBoundary();
  drawLossCurve();
  if ("table" in out) {   // the side panels: a few times a second while playing
    drawTable(out.table);
    drawHiddenSpace(out.hidden_space);
    // (a diverged network's numbers are NaN: the status line says so instead)
    if (selected.target && !frame.diverged) explainSelected(false).catch(report);
  }
}

const pct = (a) => (a === null || a === undefined ? "-" : (100 * a).toFixed(1) + "%");

// the data points, drawn once per run (they do not move) and laid over every frame
let pointsLayer = null, pointsKey = "";
function drawPoints(width, height) {
  const key = `${run.id} ${state.show_test} ${width} ${window.devicePixelRatio}`;
  if (pointsLayer && key === pointsKey) return pointsLayer;
  pointsKey = key;
  pointsLayer = document.createElement("canvas");
  pointsLayer.width = width; pointsLayer.height = height;
  const { ctx } = hidpi(pointsLayer, width, height, MAX_HEAT_RATIO);   // (the plot's store)
  const [lo, hi] = run.data.domain;
  const px = (v) => ((v - lo) / (hi - lo)) * width;
  const py = (v) => height - ((v - lo) / (hi - lo)) * height;
  const classify = run.config.problem === "classification";
  const drawSet = (rows, stroke) => {
    for (const r of rows) {
      const [x, y] = run.data.points[r];
      const t = run.data.targets[r];
      ctx.beginPath();
      ctx.arc(px(x), py(y), run.data.points.length < 50 ? 6 : 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = css(classify ? 2 * t - 1 : t);
      ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = stroke; ctx.stroke();
    }
  };
  drawSet(run.data.train, "#fff");
  if (state.show_test) drawSet(run.data.test, "#000");
  return pointsLayer;
}

// the legend under the big plot says the scale it shows: the output's (a classifier's
// ŷ from 0 to 1, the engine's output_scale), or a hovered input's or neuron's (-1 to 1)
function showScale(own) {
  let scale = own ? { ticks: [-1, 0, 1], words: `${own}: orange negative, white 0, blue positive (clipped to [\u22121, 1])` }
    : frame.scale;
  if (!scale) return;
  // the output discretized paints two colours, split at the middle tick (a regression's 0, a
  // classifier's 0.5): the legend says so, and draws two blocks (it kept the continuous scale)
  const split = !own && state.discretize;
  if (split) {
    const m = fmt(scale.ticks[1], 1);
    scale = { ticks: scale.ticks, words: run.config.problem === "classification"
      ? `output \u0177, discretized: orange class 0 (\u0177 \u2264 ${m}), blue class 1 (\u0177 > ${m})`
      : `output \u0177, discretized: orange \u0177 \u2264 ${m}, blue \u0177 > ${m}` };
  }
  if (legendSplit !== split) legend(split);
  const [lo, mid, hi] = scale.ticks.map((v) => fmt(v, 1));
  for (const [id, text] of [["legend-lo", lo], ["legend-mid", mid], ["legend-hi", hi], ["legend-words", scale.words]])
    if ($(id).textContent !== text) $(id).textContent = text;
  const words = frame.scale.words.replace(/^output \u0177: /, "");
  if (!own && $("output-colours").textContent !== "the output \u0177: " + words) $("output-colours").textContent = "the output \u0177: " + words;
}

function drawBoundary() {
  if (!frame || !run) return;
  const canvas = $("boundary");
  const L = frame.thumbs.length - 1;
  let ctx;
  if (hover && hover[0] < L && frame.thumbs[hover[0]][hover[1]]) {   // a hovered input or hidden neuron
    const v = scaleValues(frame.thumbs[hover[0]][hover[1]]);
    ctx = paint(canvas, v, Math.round(Math.sqrt(v.length)), same);
    showScale(hover[0] === 0 ? run.data.names.inputs[hover[1]] + " (scaled by its largest)"
      : run.data.names.neurons[hover[0] - 1][hover[1]]);
  } else {
    ctx = paint(canvas, scaleValues(frame.output), GRID, shade);
    showScale(null);
  }
  const W = +canvas.dataset.w, H = +canvas.dataset.h;   // (CSS pixels: hidpi())
  ctx.drawImage(drawPoints(W, H), 0, 0, W, H);
  const [lo, hi] = run.data.domain;
  if (selected.point !== null && run.data.points[selected.point]) {
    const [x, y] = run.data.points[selected.point];
    const px = ((x - lo) / (hi - lo)) * W, py = H - ((y - lo) / (hi - lo)) * H;
    ctx.beginPath(); ctx.arc(px, py, 7, 0, 2 * Math.PI);
    ctx.lineWidth = 2; ctx.strokeStyle = "#000"; ctx.stroke();
  }
  $("ax-lo").textContent = lo; $("ax-hi").textContent = hi;
  $("ay-lo").textContent = lo; $("ay-hi").textContent = hi;
  const p = run.data.points[selected.point];
  const label = "The output over the plane with the data points: the arrow keys choose the point for the "
    + "slides' numbers" + plotSummary
    + (p ? `; now point #${selected.point}, x1 = ${fmt(p[0])}, x2 = ${fmt(p[1])}, ${pointWords(selected.point)}` : "");
  if (canvas.getAttribute("aria-label") !== label) canvas.setAttribute("aria-label", label);
}

// a point's class and the network's output there in words, not by colour only (WCAG 1.4.1):
// "class 1 (blue)", and with ŷ whether the network has it right (ŷ > 0.5 is class 1)
function pointWords(i, yHat) {
  const t = run.data.targets[i], has = yHat !== undefined && yHat !== null;
  if (run.config.problem !== "classification") return `y = ${fmt(t)}` + (has ? `, \u0177 = ${fmt(yHat)}` : "");
  const cls = `class ${t > 0.5 ? 1 : 0} (${t > 0.5 ? "blue" : "orange"})`;
  return cls + (has ? `, \u0177 = ${fmt(yHat)} (${(yHat > 0.5) === (t > 0.5) ? "right" : "wrong"})` : "");
}

// the point the arrow keys chose, said (a polite live region): its place, its class and the
// network's output there now (asked of the server: the plot's colours are on a grid). Asked
// once the keys rest for 150 ms, for the last key's point only: a held arrow repeats some 30
// times a second, and each ask holds the engine (while playing, 11 keys a second cost a fifth
// of training's frames); only the latest key's answer is said
let pointsSaid = 0, pointTimer = 0;
function sayPoint(i) {
  const n = ++pointsSaid, id = run?.id;   // (the key's run: point i of newer data is not i)
  clearTimeout(pointTimer);
  pointTimer = setTimeout(() => askPoint(i, n, id), 150);
}
async function askPoint(i, n, id) {
  const p = run?.data.points[i];
  if (!p || n !== pointsSaid || run.id !== id) return;
  let yHat = null;
  try {
    const target = { kind: "neuron", layer: run.config.hidden.length + 1, index: 0 };
    yHat = (await api("/api/explain", { run: id, point: i, target }, { clears: false })).y_hat;
  } catch { /* (a diverged network has no output: its class is said, the status line says why) */ }
  if (n !== pointsSaid || !run || run.id !== id) return;
  $("point-status").textContent = `Point #${i}, x1 = ${fmt(p[0])}, x2 = ${fmt(p[1])}, ${pointWords(i, yHat)}`
    + (run.data.test.includes(i) ? ", a test point" : "");
}

// the plot's text summary of what its colours show: how many points the network classifies
// right, renewed with the side panels (a few times a second while playing, not every frame)
let plotSummary = "";
function summarisePlot() {
  const a = frame?.accuracy, count = (share, rows) => `${Math.round(share * rows.length)} of ${rows.length}`;
  plotSummary = !a ? "" : a[0] === null ? "; the output is not a number (the training diverged)"
    : `; ${count(a[0], run.data.train)} training points classified right`
      + (a[1] !== null ? `, ${count(a[1], run.data.test)} test points` : "");
}

function pickPoint(ev) {
  if (!run) return;
  const canvas = $("boundary");
  const r = canvas.getBoundingClientRect();
  const [lo, hi] = run.data.domain;
  const x = lo + ((ev.clientX - r.left) / r.width) * (hi - lo);
  const y = hi - ((ev.clientY - r.top) / r.height) * (hi - lo);
  const rows = state.show_test ? [...run.data.train, ...run.data.test] : run.data.train;
  let best = null, bd = Infinity;
  for (const i of rows) {
    const [px, py] = run.data.points[i];
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d < bd) { bd = d; best = i; }
  }
  selectPoint(best);
}

// the point the ring marks and the slides' numbers are for (a click, a tap or the arrow keys)
function selectPoint(i) {
  if (i === null || i === undefined) return;
  selected.point = i;
  drawBoundary();
  if (selected.target) queue(() => explainSelected());
}

// from the chosen point to the nearest one in the direction (dx, dy) (x2 up), preferring
// those near the line that way; none there: the ring stays
function stepPoint(dx, dy) {
  const rows = state.show_test ? [...run.data.train, ...run.data.test] : run.data.train;
  // (from the chosen point's place, one shown or not: a test point hidden since it was chosen
  // jumped to the first training point)
  const from = run.data.points[selected.point];
  if (!from) return selectPoint(rows[0]);
  const [x0, y0] = from;
  let best = null, bd = Infinity;
  for (const i of rows) {
    const [x, y] = run.data.points[i];
    const along = (x - x0) * dx + (y - y0) * dy, across = Math.abs((x - x0) * dy - (y - y0) * dx);
    if (along <= 1e-9 || i === selected.point) continue;
    const d = along + 2 * across;
    if (d < bd) { bd = d; best = i; }
  }
  if (best !== null) selectPoint(best);
}

function drawLossCurve() {
  const { ctx, w: width, h: height } = hidpi($("loss-curve")), c = { width, height };
  ctx.clearRect(0, 0, c.width, c.height);
  const h = lossHistory;
  describeLossCurve(h);
  if (h.length < 2) return;
  let max = 0;
  for (const p of h) max = Math.max(max, p[1] || 0, p[2] || 0);
  const x0 = h[0][0], x1 = h[h.length - 1][0] || 1;
  const X = (e) => ((e - x0) / (x1 - x0 || 1)) * (c.width - 2) + 1;
  const Y = (v) => c.height - 2 - (v / (max || 1)) * (c.height - 6);
  let off = false;   // a loss past the curve's top (NaN or infinite: a diverged run's last)
  for (const [k, col, w] of [[1, "#999", 1.2], [2, "#000", 1.5]]) {
    ctx.beginPath();
    let last = null;   // the last point drawn: a null after it climbs off the top (it was blank)
    h.forEach((p) => {
      if (p[k] !== null) { (last ? ctx.lineTo(X(p[0]), Y(p[k])) : ctx.moveTo(X(p[0]), Y(p[k]))); last = p; }
      else if (last) { ctx.lineTo(X(p[0]), 0); off = true; last = null; }
    });
    ctx.strokeStyle = col; ctx.lineWidth = w; ctx.stroke();
  }
  if (off) {   // said where it is drawn: the loss is no number there
    ctx.fillStyle = "#b00020"; ctx.font = "11px sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "top";
    ctx.fillText(lossWord(h.length - 1, 1) || "infinite", c.width - 3, 2);
  }
}

// what a loss of null in the curve is: the frame's word (NaN, infinite) for the last point,
// "NaN or infinite" for an earlier one; null where there are no points (no test points)
function lossWord(i, k) {
  if (k === 2 && !run.data.test.length) return null;
  if (i === lossHistory.length - 1 && frame?.loss_words?.[k - 1]) return frame.loss_words[k - 1];
  return "NaN or infinite";
}

// the loss curve's text alternative (its canvas is an image): the epochs it spans and where
// each loss went, kept up to date (no live region: read when the curve is reached)
function describeLossCurve(h) {
  const c = $("loss-curve");
  let label = "Loss curve: no epochs trained yet";
  if (h.length) {
    const a = h[0], b = h[h.length - 1];
    // (a null is NaN or infinite, as the losses above say: it read "-")
    const v = (p, i, k) => (p[k] !== null ? fmt(p[k]) : lossWord(i, k) || "-");
    const span = (k) => (h.length > 1 ? `from ${v(a, 0, k)} to ${v(b, h.length - 1, k)}` : v(b, h.length - 1, k));
    label = (h.length > 1 ? `Loss curve over epochs ${a[0]} to ${b[0]}: ` : `Loss curve at epoch ${b[0]}: `)
      + `training loss (grey line) ${span(1)}`
      + (run.data.test.length ? `, test loss (black line) ${span(2)}` : ", no test points");
  }
  if (c.getAttribute("aria-label") !== label) c.setAttribute("aria-label", label);
}

function drawTable(t) {
  if (!t) return;
  const tbl = document.createElement("table");
  const head = tbl.insertRow();
  // an input by its feature's name too, as the explain panel writes it: x2 (X₁²)
  const inputs = run.data.names.inputs, feats = run.config.features;
  const label = (c, i) => (i < feats.length && inputs[i] !== feats[i] ? `${inputs[i]} (${FEATURE_LABEL[feats[i]]})` : c);
  // y and y_hat, the columns to hold against the slide, stay at the panel's right edge while
  // the hidden layers' columns scroll beneath them (a wide network's are past the panel)
  const cls = t.columns.map((c) => (c === "y" ? "col-y" : c === "y_hat" ? "col-yhat" : ""));
  t.columns.forEach((c, i) => {
    const th = document.createElement("th");
    th.textContent = label(c, i);
    if (cls[i]) th.className = cls[i];
    head.append(th);
  });
  for (const row of t.rows) {
    const tr = tbl.insertRow();
    row.forEach((v, i) => {
      const td = tr.insertCell();
      td.textContent = fmt(v, 3);
      if (cls[i]) td.className = cls[i];
    });
  }
  $("table").replaceChildren(tbl);
  const yhat = tbl.querySelector("th.col-yhat");   // y sits left of y_hat, as wide as it is
  if (yhat) tbl.style.setProperty("--yhat-width", yhat.offsetWidth + "px");
  const wrap = $("table");
  $("table-more").hidden = wrap.scrollWidth <= wrap.clientWidth;
}

let hiddenSpace = null;   // the last hidden feature space the server sent (redrawn for "Show test data")
let hsTicks = [], hsLabels = [];   // the panel's tick values and point labels, as drawn
let hsBoxes = { names: [], ticks: [] };   // its axes' names and ticks' values: their boxes (x0, y0, x1, y1)
function drawHiddenSpace(hs) {
  hiddenSpace = hs;
  $("hidden-space-wrap").hidden = !hs;
  if (!hs) return;
  $("hs-names").textContent = `(${hs.names[0]}, ${hs.names[1]})`;
  const { ctx, w: width, h: height } = hidpi($("hidden-space")), c = { width, height };
  ctx.clearRect(0, 0, c.width, c.height);
  let lo = Infinity, hi = -Infinity;
  for (const [a, b] of hs.points) { lo = Math.min(lo, a, b); hi = Math.max(hi, a, b); }
  // ticks: a sigmoid layer's 0 and 1 (a tanh layer's -1, 0, 1) where the points lie within
  // them, else the points' own range (the panel had no scale: (0.119, 0.119) read as anywhere)
  let ticks;
  if (lo >= -0.2 && hi <= 1.2) { lo = Math.min(lo, 0); hi = Math.max(hi, 1); ticks = [0, 1]; }
  else if (lo >= -1.2 && hi <= 1.2) { lo = Math.min(lo, -1); hi = Math.max(hi, 1); ticks = [-1, 0, 1]; }
  else ticks = [lo, hi];
  // (a margin of 15 %: the corners hold the axes' names, clear of the outer ticks' values)
  const pad = (hi - lo) * 0.15 || 0.5; lo -= pad; hi += pad;
  const X = (v) => ((v - lo) / (hi - lo)) * c.width, Y = (v) => c.height - ((v - lo) / (hi - lo)) * c.height;
  // the output neuron's line: w1 a1 + w2 a2 + b = 0
  const [w1, w2] = hs.w, b = hs.b;
  ctx.beginPath();
  if (Math.abs(w2) > 1e-12) { ctx.moveTo(X(lo), Y(-(b + w1 * lo) / w2)); ctx.lineTo(X(hi), Y(-(b + w1 * hi) / w2)); }
  else if (Math.abs(w1) > 1e-12) { ctx.moveTo(X(-b / w1), Y(lo)); ctx.lineTo(X(-b / w1), Y(hi)); }
  ctx.strokeStyle = "#444"; ctx.setLineDash([5, 4]); ctx.lineWidth = 1.5; ctx.stroke(); ctx.setLineDash([]);
  ctx.font = "10px sans-serif";
  // the axes' names on white, over the dashed line (it ran through them) and under the
  // points (the box hid a whole class where tanh, sigmoid or relu gather them, at the
  // corner): a1 across at the bottom right above the ticks' values, a2 up at the top left;
  // hsBoxes: where (CSS pixels)
  hsBoxes = { names: [], ticks: [] };
  const across = hs.names[0] + " \u2192", up = "\u2191 " + hs.names[1];
  const wa = ctx.measureText(across).width, wu = ctx.measureText(up).width;
  for (const [text, x, y, w] of [[across, c.width - wa - 4, c.height - 19, wa], [up, 3, 11, wu]]) {
    ctx.fillStyle = "#fff"; ctx.fillRect(x - 2, y - 10, w + 4, 13);
    ctx.fillStyle = "#666";   // (4.5:1 on white, as the page's quieter text)
    ctx.fillText(text, x, y);
    hsBoxes.names.push([x - 2, y - 10, x + w + 2, y + 3]);
  }
  const classify = run.config.problem === "classification";
  hs.points.forEach(([a, bb], i) => {
    if (!run.data.train.includes(i) && !state.show_test) return;
    ctx.beginPath(); ctx.arc(X(a), Y(bb), 4, 0, 2 * Math.PI);
    const t = run.data.targets[i];
    ctx.fillStyle = css(classify ? 2 * t - 1 : t); ctx.fill();
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke();
  });
  hsTicks = [];
  ctx.strokeStyle = "#888"; ctx.lineWidth = 1;
  for (const v of ticks) {   // a tick on the bottom and the left edge, its value beside it
    const text = fmt(v, 2), x = X(v), y = Y(v);
    ctx.beginPath(); ctx.moveTo(x, c.height); ctx.lineTo(x, c.height - 5);
    ctx.moveTo(0, y); ctx.lineTo(5, y); ctx.stroke();
    ctx.textAlign = "center"; ctx.fillText(text, x, c.height - 7);
    ctx.textAlign = "left"; ctx.fillText(text, 7, y + 3.5);
    const tw = ctx.measureText(text).width;
    hsBoxes.ticks.push([x - tw / 2, c.height - 16, x + tw / 2, c.height - 5], [7, y - 5.5, 7 + tw, y + 5.5]);
    hsTicks.push(text);
  }
  hsLabels = labelHiddenPoints(ctx, c, hs, X, Y);
  if (!hsLabels.length) hsLabels = countPileUps(ctx, c, hs, X, Y);
  describeHiddenSpace(hs);
}

// Many points on one spot (a saturated tanh or sigmoid layer puts whole groups at a corner)
// drew as one dot, its class the last one drawn's: 125 right and 125 wrong points read as
// a clean split. A spot holding a tenth of the points shown (10 at least) gets its count,
// with each class's for a classifier: "250 here: 125 orange, 125 blue".
function countPileUps(ctx, c, hs, X, Y) {
  const shown = hs.points.map((p, i) => i).filter((i) => run.data.train.includes(i) || state.show_test);
  const spots = new Map();   // a 3-pixel cell -> its points' count and classes
  for (const i of shown) {
    const [a, b] = hs.points[i], key = Math.round(X(a) / 3) + "," + Math.round(Y(b) / 3);
    if (!spots.has(key)) spots.set(key, { x: X(a), y: Y(b), a, b, n: 0, ones: 0 });
    const s = spots.get(key);
    s.n += 1; s.ones += run.data.targets[i] > 0.5 ? 1 : 0;
  }
  const classify = run.config.problem === "classification";
  const big = [...spots.values()].filter((s) => s.n >= Math.max(10, 0.1 * shown.length))
    .sort((p, q) => q.n - p.n).slice(0, 6);
  ctx.font = "10px sans-serif";
  const out = [], boxes = [];
  for (const s of big) {
    const text = `${s.n} here` + (classify ? `: ${s.n - s.ones} orange, ${s.ones} blue` : "");
    const w = ctx.measureText(text).width;
    let x0 = s.x + 8 + w > c.width - 2 ? Math.max(2, s.x - 8 - w) : s.x + 8;
    let y0 = Math.min(Math.max(s.y + 3, 24), c.height - 22);
    while (boxes.some((bx) => x0 < bx[2] && bx[0] < x0 + w && y0 - 9 < bx[3] && bx[1] < y0 + 3) && y0 > 24) y0 -= 12;
    boxes.push([x0, y0 - 9, x0 + w, y0 + 3]);
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)"; ctx.fillRect(x0 - 1, y0 - 9, w + 2, 12);
    ctx.fillStyle = "#333"; ctx.textAlign = "left"; ctx.fillText(text, x0, y0);
    out.push(`${s.n} points on one spot at (${fmt(s.a)}, ${fmt(s.b)})`
      + (classify ? `, ${s.n - s.ones} of class 0 and ${s.ones} of class 1` : ""));
  }
  return out;
}

// the hidden feature space's text alternative: what the panel shows, and for a classifier how
// many of the points drawn lie on their class's side of the output neuron's line
function describeHiddenSpace(hs) {
  const shown = hs.points.map((p, i) => i).filter((i) => run.data.train.includes(i) || state.show_test);
  const [w1, w2] = hs.w;
  let label = `Hidden feature space: the ${shown.length} ${state.show_test ? "" : "training "}points placed at the last `
    + `hidden layer's outputs, ${hs.names[0]} across and ${hs.names[1]} up; a dashed line where the output `
    + "neuron's z = 0";
  if (run.config.problem === "classification") {
    const right = shown.filter((i) => (w1 * hs.points[i][0] + w2 * hs.points[i][1] + hs.b > 0) === (run.data.targets[i] > 0.5));
    label += `; ${right.length} of ${shown.length} points on their class's side of it`;
  }
  if (hsLabels.length) label += `; the points: ${hsLabels.join("; ")}`;
  const c = $("hidden-space");
  if (c.getAttribute("aria-label") !== label + ".") c.setAttribute("aria-label", label + ".");
}

// With few distinct inputs (the lecture's four, in 4 rows or in 500), each spot is labelled
// with its inputs, points on one spot together, as plot_hidden_space does: XNOR's (0, 1) and
// (1, 0) both go to (0.119, 0.119), one dot that read as 3 points for 4. "x=(0, 1) / x=(1, 0)".
// Counted by inputs, not rows: XNOR rebuilt as 500 rows of its 4 inputs lost its labels.
function labelHiddenPoints(ctx, c, hs, X, Y) {
  const shown = hs.points.map((p, i) => i).filter((i) => run.data.train.includes(i) || state.show_test);
  const nameOf = (i) => "x=(" + run.data.points[i].map((v) => String(+v.toFixed(2))).join(", ") + ")";
  if (new Set(shown.map(nameOf)).size > 8) return [];
  const spots = new Map();   // a pixel spot -> the inputs drawn there
  for (const i of shown) {
    const [a, b] = hs.points[i], key = Math.round(X(a) / 3) + "," + Math.round(Y(b) / 3);
    if (!spots.has(key)) spots.set(key, { x: X(a), y: Y(b), inputs: [] });
    const name = nameOf(i);
    if (!spots.get(key).inputs.includes(name)) spots.get(key).inputs.push(name);
  }
  ctx.font = "10px sans-serif"; ctx.fillStyle = "#333";
  const boxes = [], out = [];
  for (const { x, y, inputs } of spots.values()) {
    const text = inputs.join(" / "), w = ctx.measureText(text).width;
    const left = x + 8 + w > c.width - 2;   // (right of its dot, else left of it)
    let x0 = left ? Math.max(2, x - 8 - w) : x + 8, y0 = Math.min(Math.max(y - 5, 14), c.height - 16);
    for (let k = 0; k < 12 && boxes.some((b) => x0 < b[2] && b[0] < x0 + w && y0 - 9 < b[3] && b[1] < y0 + 3); k++) {
      y0 = Math.min(y0 + 12, c.height - 16);   // below the labels written before, then above
      if (k >= 6) y0 = Math.max(14, y - 5 - 12 * (k - 5));
    }
    boxes.push([x0, y0 - 9, x0 + w, y0 + 3]);
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)"; ctx.fillRect(x0 - 1, y0 - 9, w + 2, 12);   // (over the line)
    ctx.fillStyle = "#333"; ctx.textAlign = "left"; ctx.fillText(text, x0, y0);
    out.push(text);
  }
  return out;
}

// ---------------------------------------------------------------- the slides' numbers
// fmt(v, d): a number as glassnet.report.fmt prints it, digit for digit (the explain text, the
// exported script and the command line print the same numbers): d decimals, a whole number
// without them ("1", "0", also -0), and a half rounded up (away from zero) as by hand, on the
// shortest digits that give the float back (2.675 is 2.68, 1.005 is 1.01, -0.125 is -0.13),
// not on its binary value as toFixed does (2.675, stored as 2.67499999..., read 2.67). A value
// of at most half a unit of the last decimal (0.0005 with 3 decimals), and one whose decimals
// reach a million, in scientific notation with d - 1 decimals (at least 1) and an exponent of
// two digits or more: 5.00e-04, 1.00e-07, 5.38e+25, as Python writes them.
function fmt(v, d = 3) {
  if (v === null || v === undefined) return "-";
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);   // (String(-0) is "0")
  const sign = v < 0 ? "-" : "";
  // the shortest digits of |v| (Python's repr's: toExponential() without an argument) and the
  // power of ten of the first one: 2.675 -> "2675", 0; 1e-7 -> "1", -7
  const [mant, pow] = Math.abs(v).toExponential().split("e");
  const digits = mant.replace(".", ""), exp = +pow;
  if (Math.abs(v) <= Number("5e-" + (d + 1))) return sign + fmtSci(digits, exp, Math.max(d - 1, 1));
  const kept = roundHalfUp(digits, exp + 1 + d).padStart(d + 1, "0");   // the value times 10^d
  const fixed = d ? kept.slice(0, -d) + "." + kept.slice(-d) : kept;
  if (Math.abs(v) >= 999999 && Number(fixed) >= 1e6) return sign + fmtSci(digits, exp, Math.max(d - 1, 1));
  return sign + fixed;
}
// the first n of the decimal digits, rounded half up on the next one (a carry adds a digit:
// "9996", 3 -> "1000"); n of 0 or less keeps none ("" or, rounded up, "1")
function roundHalfUp(digits, n) {
  const head = digits.slice(0, Math.max(n, 0)).padEnd(Math.max(n, 0), "0");
  if (n < 0 || !(digits[n] >= "5")) return head || "0";
  const out = head.split("");
  let i = out.length - 1;
  for (; i >= 0 && out[i] === "9"; i--) out[i] = "0";
  if (i < 0) return "1" + out.join("");
  out[i] = String(+out[i] + 1);
  return out.join("");
}
// digits x 10^exp in scientific notation with k decimals: 5.38e+25, 1.00e-07 (Python's e format)
function fmtSci(digits, exp, k) {
  let m = roundHalfUp(digits, k + 1);
  if (m.length > k + 1) { m = m.slice(0, k + 1); exp += 1; }   // 9.9996 -> 1.000e+01
  const e = String(Math.abs(exp)).padStart(2, "0");
  return m[0] + "." + m.slice(1) + "e" + (exp < 0 ? "-" : "+") + e;
}
// a factor as the server printed it (its "printed": the decimals that make the arithmetic
// written out give the result printed, glassnet explain's rule), negative in parentheses
const parText = (t) => (t.startsWith("-") ? "(" + t + ")" : t);
function num(key, v, d = 3) {
  const s = document.createElement("span");
  s.className = "num"; s.dataset.key = key; s.dataset.value = String(v); s.textContent = fmt(v, d);
  return s;
}

function choose(target) {
  selected.target = target;
  markChosen();
  queue(() => explainSelected(true, true));
}

function markChosen() {   // outline the clicked neuron or edge
  for (const el of document.querySelectorAll(".chosen")) el.classList.remove("chosen");
  const t = selected.target;
  if (!t) return;
  if (t.kind === "neuron") {
    const el = t.layer === 0 ? nodeEls[0][FEATURES.indexOf(run.config.features[t.index])] : nodeEls[t.layer]?.[t.index];
    if (el) el.classList.add("chosen");
  } else {
    const p = edgeEls[t.layer - 1]?.[t.from]?.[t.to];
    if (p) p.classList.add("chosen");
  }
}

let explains = 0;   // explain requests so far: only the latest one's answer is shown
// clears: false for the refresh while playing (the panel changes, nothing is said); reveal: a
// neuron, an edge or an input just chosen, whose numbers a phone's screen is brought to
async function explainSelected(clears = true, reveal = false) {
  if (!run || !selected.target) return;
  const ask = { run: run.id, point: selected.point ?? 0, target: selected.target };
  const n = ++explains;
  // an answer overtaken (a newer click, a new run: the panel was cleared) is not shown, nor
  // its error: while playing, the refresh runs beside the queue, and may answer late
  const current = () => n === explains && run && run.id === ask.run && selected.target === ask.target;
  let e;
  try {
    e = await api("/api/explain", ask, { clears });
  } catch (err) {
    if (current()) throw err;
    return;
  }
  if (!current()) return;
  renderExplain(e);
  // the spoken summary follows the numbers shown (a weight set, a step, a pause: it kept
  // the first ones); while playing it is emptied, not renewed a few times a second
  const said = playing ? "" : explainNews + explainSummary(e);
  if (!playing) explainNews = "";
  if ($("explain-status").textContent !== said) $("explain-status").textContent = said;
  if (reveal) revealExplain();
}
let explainNews = "";   // a weight set with the box: said before its new numbers

// the explain panel's news for a screen reader (a polite live region beside it): a short
// summary, not the whole panel, which the reader can go to
function explainSummary(e) {
  const at = `for point #${e.point}`;
  if (e.kind === "input") return `The slides' numbers: input ${e.name} ${at}: dL/d${e.name} = ${fmt(e.dL)}.`;
  if (e.kind === "neuron") return `The slides' numbers: neuron ${e.a_name} ${at}: ${e.z_name} = ${fmt(e.z)}, `
    + `${e.a_name} = ${fmt(e.a)}, dL/d${e.z_name} = ${fmt(e.dL_dz)}.`;
  return `The slides' numbers: weight ${e.name} = ${fmt(e.w)} ${at}: dL/d${e.name} = ${fmt(e.dL_dw)}, `
    + `after one step ${fmt(e.after)}.`;
}

// on a phone the panel is far below the network (about 800 pixels): a tap on a neuron showed
// its numbers out of sight, and seemed to do nothing; there the panel is scrolled into view
const NARROW = window.matchMedia("(max-width: 560px)");
function revealExplain() {
  if (!NARROW.matches) return;
  const panel = $("explain-panel"), r = panel.getBoundingClientRect();
  if (r.top >= 0 && r.top < window.innerHeight * 0.6) return;   // (in view already)
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  panel.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
}

// an equation's box: text and numbers; a long one wraps at its spaces and after each
// · (a <wbr>: the text reads the same), a number never cut in two (style.css)
function eq(...parts) {
  const d = document.createElement("div");
  d.className = "eq";
  for (const p of parts) {
    if (typeof p !== "string") { d.append(p); continue; }
    p.split("\u00b7").forEach((piece, i) => {
      if (i > 0) d.append("\u00b7", document.createElement("wbr"));
      if (piece) d.append(piece);
    });
  }
  return d;
}
function sec(text) { const d = document.createElement("div"); d.className = "sec"; d.textContent = text; return d; }

const G = { sigmoid: "\u03c3", tanh: "tanh", relu: "ReLU", leaky_relu: "leakyReLU", identity: "id" };
const LOSS = { binary_cross_entropy: "binary cross-entropy L = \u2212[y log \u0177 + (1\u2212y) log(1\u2212\u0177)]",
  half_mse: "L = \u00bd(\u0177 \u2212 y)\u00b2" };

function renderExplain(e) {
  const box = $("explain");
  // the weight box, rebuilt with the panel, keeps the keyboard's focus and its caret (focus
  // fell to the page: a second arrow key did nothing and a Space started play)
  // (and what was typed in it, not yet set: the panel is also rebuilt while playing, and
  // after a set, while the next value may be being typed)
  const old = document.activeElement;
  const caret = old && old.id === "set-value" && box.contains(old) ? [old.selectionStart, old.selectionEnd] : null;
  const typed = caret && old.value !== old.dataset.shown ? old.value : null;
  if (caret) old.onchange = null;   // (its removal is no change: the new box holds its text)
  box.replaceChildren();
  renderExplainInto(box, e);
  const input = $("set-value");
  if (caret && input) {
    if (typed !== null) input.value = typed;
    input.focus({ preventScroll: true });
    const n = input.value.length;
    input.setSelectionRange(Math.min(caret[0], n), Math.min(caret[1], n));
  }
}

function renderExplainInto(box, e) {
  const head = document.createElement("div");
  head.className = "head";
  const xs = e.x.map(([n, v], i) => `${n} = ${fmt(v)}` + (n !== e.features[i] ? ` (${FEATURE_LABEL[e.features[i]]})` : "")).join(", ");
  // (its row in the exported data, as glassnet explain --row counts: from 1, where the page
  // counts points from 0, so that "Point #3" read as --row 3 explained another point)
  head.append(`Point #${e.point} (glassnet explain --row ${e.point + 1} of the exported data): ${xs}; `
    + `y = ${fmt(e.y)}, \u0177 = `, num("y_hat", e.y_hat), ", L = ", num("loss", e.loss),
    ` (${LOSS[e.loss_name] || e.loss_name}); current weights, this point alone.`);
  box.append(head);
  if (e.kind === "input") {
    box.append(sec("Backward: the gradient reaching an input"));
    box.append(eq(`dL/d${e.name} = `, num("dL", e.dL)));
  } else if (e.kind === "neuron") {
    box.append(sec("Forward: weighted sum, activation"));
    const symbolic = `${e.z_name} = ${e.bias[0]} + ` + e.terms.slice(0, 8).map(([w, , v]) => `${w}\u00b7${v}`).join(" + ") + (e.terms.length > 8 ? " + \u2026" : "");
    const z = e.printed.z;   // b, w1, v1, w2, v2, ... as printed
    const numeric = `= ${z[0]} + ` + e.terms.slice(0, 8).map((t, i) => `${parText(z[1 + 2 * i])}\u00b7${parText(z[2 + 2 * i])}`).join(" + ") + (e.terms.length > 8 ? " + \u2026" : "") + " = ";
    box.append(eq(symbolic), eq(numeric, num("z", e.z)), setter(e.bias[0], e.bias[1]));
    box.append(eq(`${e.a_name} = ${G[e.activation] || e.activation}(${e.z_name}) = `, num("a", e.a),
      `     g'(${e.z_name}) = `, num("gprime", e.gprime)));
    box.append(sec("Backward: the chain rule"));
    box.append(eq(`dL/d${e.a_name} = `, num("dL_da", e.dL_da)));
    box.append(eq(`dL/d${e.z_name} = dL/d${e.a_name} \u00b7 g'(${e.z_name}) = ${e.printed.dL_dz.map(parText).join("\u00b7")} = `, num("dL_dz", e.dL_dz)));
  } else {
    box.append(sec(`The weight ${e.name}: from ${e.v_name} into ${e.u_name}`));
    box.append(eq(`${e.name} = `, num("w", e.w)), setter(e.name, e.w));
    box.append(eq(`dL/d${e.name} = dL/d${e.u_name} \u00b7 ${e.v_name} = ${e.printed.dL_dw.map(parText).join("\u00b7")} = `, num("dL_dw", e.dL_dw)));
    box.append(sec("Gradient-descent step (this point alone)"));
    if (e.penalty) {   // L1 / L2: the step adds the penalty's gradient, as the step button's does
      const p = e.penalty, term = p.kind === "L2" ? `${p.rate}\u00b7${e.name}` : `${p.rate}\u00b7sign(${e.name})`;
      box.append(eq(`the ${p.kind} penalty's gradient: ${term} = `, num("penalty", p.dL_dw)));
      const [w, g, pen] = e.printed.after;
      box.append(eq(`${e.name} \u2212 \u03b3\u00b7(dL/d${e.name} + ${term}) = ${w} \u2212 ${e.lr}\u00b7(${g} + ${parText(pen)}) = `,
        num("after", e.after)));
    } else {
      const [w, g] = e.printed.after;
      box.append(eq(`${e.name} \u2212 \u03b3\u00b7dL/d${e.name} = ${w} \u2212 ${e.lr}\u00b7${parText(g)} = `, num("after", e.after)));
    }
  }
  const p = e.path;
  box.append(sec(`The chain rule, path by path (${p.total} path${p.total === 1 ? "" : "s"})`));
  const name = e.kind === "edge" ? e.name : e.kind === "input" ? e.name : e.z_name;
  const pe = eq(`dL/d${name} = ${p.symbolic}`); pe.classList.add("path");
  const pn = eq(`= ${p.numeric} = `, num("path", p.value)); pn.classList.add("path");
  box.append(pe, pn);
}

// a box that sets a weight or a bias by hand (as TF Playground lets you)
function setter(name, value) {
  const row = document.createElement("label");
  row.className = "setter";
  const input = document.createElement("input");
  // a text box, read here: a number box dropped what it could not read, so that "1,5" (a
  // decimal comma) was set as 15 without a word; the arrow keys step by 0.1 as its did
  input.type = "text"; input.inputMode = "decimal"; input.autocomplete = "off"; input.spellcheck = false;
  let shown = value === null ? "" : String(+fmt(value, 4));   // (fmt's rounding, as shown)
  input.value = shown; input.id = "set-value"; input.dataset.shown = shown;
  input.addEventListener("keydown", (ev) => {
    // Enter sets the value here: a box rebuilt while typed in (renderExplain) holds the text
    // typed, which the browser's own Enter would not take for a change
    if (ev.key === "Enter" && !ev.isComposing) {
      ev.preventDefault();
      if (input.value !== input.dataset.shown) input.onchange();   // (as a change: not the same value again)
      return;
    }
    const d = { ArrowUp: 0.1, ArrowDown: -0.1 }[ev.key];
    const v = readNumber(input.value);
    if (d === undefined || v === null || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    ev.preventDefault();
    input.value = String(Math.max(-100, Math.min(100, +(v + d).toFixed(10))));
    input.dispatchEvent(new Event("change"));
  });
  // a value not set (refused, or not a number) leaves the box showing the weight as it is;
  // every refusal in one wording, the page's (one out of range named the server's set_weight)
  input.onchange = () => {
    const v = readNumber(input.value);
    const both = ambiguousComma(input.value);
    if (both) {   // 1,000: a thousand, or 1.0? asked, not guessed
      const typed = input.value.trim().slice(0, 40);
      input.value = shown;
      report(new Refusal(`set ${name}: its 'value' '${typed}' may be ${both[0]} (a thousands comma) or `
        + `${both[1]} (a decimal comma); write ${both[0]}, or ${both[1]}. ${name} is still ${shown || "NaN"}.`));
      return;
    }
    if (v === null || !(Math.abs(v) <= 100)) {   // not a number, or out of range: said, not ignored
      const typed = input.value.trim().slice(0, 40);
      input.value = shown;
      report(new Refusal(`set ${name}: its 'value' must be a number in [-100, 100] (a decimal point or comma: `
        + `0.5 or 0,5); got ${typed === "" ? "nothing" : `'${typed}'`}. ${name} is still ${shown || "NaN"}.`));
      return;
    }
    const target = selected.target;
    queue(async () => {
      try {
        const out = await api("/api/weight", { run: run.id, target, value: v });
        dropReplay(out);
        explainNews = `${name} set to ${+fmt(v, 4)}. `;   // (said with the numbers it gives)
        show(out);
        const from = updateStep ?? updateGone?.from ?? null, at = frame.step;
        const set = (s) => `${name} was set by hand after step ${at}${s > at ? `, and play took ${s - at} more steps` : ""}`
          + (from === null ? "." : `: ${from === at ? "that step's" : `step ${from}'s`} table no longer shows the weights in force.`);
        if (from !== null || updateGone) clearUpdate(set(at), set, from);
        shown = String(+fmt(v, 4)); input.dataset.shown = shown;   // (until the panel is rebuilt)
      } catch (e) {
        input.value = shown;
        throw e;
      }
    });
  };
  row.append(`set ${name} = `, input);
  return row;
}

// a typed number: digits with a decimal point, or a decimal comma (1,5 is 1.5; 1, as 1.), a
// sign and an exponent (1e-3); full-width digits and marks (an IME's: \uff12\uff0e\uff15) read as
// theirs (NFKC); null for anything else (1.000,5, 0x10, 1/2, "", Infinity) and for a comma
// that may be a thousands separator (1,000: see ambiguousComma)
function readNumber(text) {
  let t = text.normalize("NFKC").trim().replace(/^\u2212/, "-");
  if (ambiguousComma(t)) return null;
  if (/^[+-]?(\d+,\d*|,\d+)(e[+-]?\d+)?$/i.test(t)) t = t.replace(",", ".");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}
// "1,000" (one to three digits, a comma, exactly three digits, no other mark): one thousand
// in English, 1.0 with a decimal comma; neither is guessed (it was read as 1.0, unsaid).
// Returns [the whole number, the decimal] to write instead ("1000", "1.000"), or null.
function ambiguousComma(text) {
  const t = text.normalize("NFKC").trim().replace(/^\u2212/, "-");
  const m = /^([+-]?)([1-9]\d{0,2}),(\d{3})$/.exec(t);
  return m ? [m[1] + m[2] + m[3], m[1] + m[2] + "." + m[3]] : null;
}

// the LAST STEP panel: the table of the step that made the weights shown (updateStep), or a
// hint. Play, a refused step or a weight typed make it say why its table is gone (it kept
// step 1's table after 1,575 steps of play, beside other weights)
let updateStep = null;
// the table gone (play, a refused step, a weight typed): its step (from, or null), the step
// when that was said (at) and the sentence for a later step (later), rewritten on each frame
let updateGone = null;
const UPDATE_HINT = "Press the step button (\u25b6|) to take one gradient-descent step and see every weight before and after.";
function clearUpdate(why, later = null, from = null) {
  updateStep = null;
  updateGone = later ? { from, at: frame ? frame.step : 0, later } : null;
  const p = document.createElement("p");
  p.className = "hint";
  p.textContent = (why ? why + " " : "") + UPDATE_HINT;
  $("update").replaceChildren(p);
}

function showUpdate(u) {
  const box = $("update");
  box.replaceChildren();
  updateStep = frame.step; updateGone = null;
  const p = document.createElement("p");
  p.className = "hint";
  p.textContent = `Step ${frame.step}, the last one taken: one step on a batch of ${u.batch_size} point(s), \u03b3 = ${u.lr}; dL/dw is the gradient of the batch's mean loss (${LOSS[run.config.loss === "cross_entropy" ? "binary_cross_entropy" : "half_mse"].replace(/ L = .*/, "")})` +
    (run.config.regularization !== "none" && run.config.reg_rate ? ` plus the ${run.config.regularization} penalty's gradient.` : ".");
  const tbl = document.createElement("table");
  const head = tbl.insertRow();
  for (const c of ["weight", "w", "dL/dw", "w \u2212 \u03b3\u00b7dL/dw"]) { const th = document.createElement("th"); th.textContent = c; head.append(th); }
  for (const [r, [n, b, g, a]] of u.rows.entries()) {
    const tr = tbl.insertRow();
    tr.dataset.name = n;
    tr.insertCell().textContent = n;
    // w and dL/dw as the server printed them: the decimals that make w − γ·dL/dw, worked out
    // from the printed numbers, give the printed result (4 decimals gave −0.4483 − 0.1·0.0063
    // beside a printed −0.4490)
    const [bt, gt] = u.printed[r];
    for (const [k, v, t] of [["before", b, bt], ["grad", g, gt], ["after", a, null]]) {
      const cell = num(k, v, 4);
      if (t !== null) cell.textContent = t;
      tr.insertCell().append(cell);
    }
  }
  box.append(p, tbl);
}

// ---------------------------------------------------------------- data-set buttons, export
let previews = null;   // the datasets' thumbnails' points, kept to redraw them for a new pixel ratio
function drawThumbnail(c, name) {
  const { ctx } = hidpi(c);
  ctx.fillStyle = "#f3f3f3"; ctx.fillRect(0, 0, 50, 50);
  const p = previews[name], [lo, hi] = p.domain;
  const reg = REGRESSION.includes(name);
  p.points.forEach(([x, y], i) => {
    ctx.fillStyle = css(reg ? p.targets[i] : 2 * p.targets[i] - 1);
    ctx.beginPath(); ctx.arc(((x - lo) / (hi - lo)) * 50, 50 - ((y - lo) / (hi - lo)) * 50, GATES.includes(name) ? 4 : 1.6, 0, 7); ctx.fill();
  });
}
function drawThumbnails() {
  if (!previews) return;
  for (const c of document.querySelectorAll("#datasets button canvas")) drawThumbnail(c, c.parentElement.dataset.name);
}

async function datasetButtons() {
  previews = await api("/api/previews");
  const box = $("datasets");
  for (const name of [...CLASSIFICATION, ...REGRESSION]) {
    const b = document.createElement("button");
    b.dataset.name = name;
    b.title = GATES.includes(name) ? `${dataWord(name)}: the lecture's four points` : DATASET_LABEL[name];
    const c = document.createElement("canvas");
    c.width = c.height = 50;
    b.append(c);
    drawThumbnail(c, name);
    const lab = document.createElement("span"); lab.textContent = DATASET_LABEL[name];
    b.append(lab);
    b.onclick = () => { setPlaying(false); change("dataset", name); };
    box.append(b);
  }
}

function exportLinks() {
  const q = (what) => `/api/export?run=${encodeURIComponent(run.id)}&what=${what}&token=${encodeURIComponent(TOKEN)}`;
  $("export-model").href = q("model");
  $("export-script").href = q("script");
  $("export-data").href = q("data");
  // (glassnet evaluate of these: the test accuracy); none (a ratio of 100, the lecture
  // preset): no link, and its title says why (it saved a file of a header row alone)
  const test = $("export-test"), none = !run.data.test.length;
  test.title = none ? "No test rows: the training ratio is 100 %, every point is a training point"
    : "The test points alone: glassnet evaluate of the model file on them gives the page's test accuracy";
  if (none) { test.removeAttribute("href"); test.setAttribute("aria-disabled", "true"); }
  else { test.href = q("data&rows=test"); test.removeAttribute("aria-disabled"); }
}

// an export is fetched by the page and then saved, so that a refusal (the run pushed out by
// other pages' runs, safetensors not installed for the model file) is said on the status
// line: followed as a plain link, it was a failed download ("export.json") and no word of why.
// A click with a key held (a new tab, "save link as" from the menu) stays the browser's own.
async function exportFile(ev) {
  if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
  ev.preventDefault();
  if (!ev.currentTarget.href) return;   // (Test rows where there are none)
  const link = ev.currentTarget, what = link.textContent.trim().toLowerCase();
  let r;
  try {
    r = await fetch(link.href, { headers: { "X-Glassnet-Token": TOKEN } });
  } catch {
    report(new Error("The glassnet playground server does not answer: was it stopped? Start it "
      + "again ('glassnet playground') and open the new URL it prints (a new token). If it "
      + "runs, this computer may hold more connections than it takes (--max-per-client, "
      + "24 by default: many tabs): close some tabs and reload."));
    return;
  }
  if (!r.ok) {
    let why = `HTTP ${r.status}`;
    try { why = (await r.json()).error || why; } catch { /* not JSON: the status says it */ }
    const message = `Export of the ${what} refused: ${why}`;
    report(r.status < 500 ? new Refusal(message) : new Error(message));
    return;
  }
  const name = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "")?.[1] || "export";
  const url = URL.createObjectURL(await r.blob());
  const save = document.createElement("a");
  save.href = url; save.download = name; save.hidden = true;
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
for (const id of ["export-model", "export-script", "export-data", "export-test"]) $(id).onclick = exportFile;

// the colour scale from -1 to 1: colour() is linear between its three stops; split: the
// discretized output's two colours, each a half
let legendSplit = false;
function legend(split = legendSplit) {
  legendSplit = split;
  const { ctx, w, h } = hidpi($("legend"));
  if (split) {
    ctx.fillStyle = css(-1); ctx.fillRect(0, 0, w / 2, h);
    ctx.fillStyle = css(1); ctx.fillRect(w / 2, 0, w - w / 2, h);
    return;
  }
  const g = ctx.createLinearGradient(0, 0, w, 0);
  g.addColorStop(0, css(-1)); g.addColorStop(0.5, css(0)); g.addColorStop(1, css(1));
  ctx.fillStyle = g; ctx.fillRect(0, 0, w, h);
}

// ---------------------------------------------------------------- start
wire();
legend();
syncControls();
queue(datasetButtons).then(() => { syncControls(); });
restart(true);
let netWidth = $("network").clientWidth;
let pixelRatio = window.devicePixelRatio;
function redrawForRatio() {   // zoomed, or moved to another screen: every canvas redrawn sharp
  if (window.devicePixelRatio === pixelRatio) return;
  pixelRatio = window.devicePixelRatio;
  legend();
  drawThumbnails();
  if (frame) { drawNetwork(); drawBoundary(); drawLossCurve(); drawHiddenSpace(hiddenSpace); }
}
window.addEventListener("resize", () => {   // re-lay the network out when its width changes
  if (run && $("network").clientWidth !== netWidth) { netWidth = $("network").clientWidth; buildNetwork(); drawNetwork(); }
  redrawForRatio();
});
// a new pixel ratio without a resize (the window moved to a Retina screen, the system's
// scaling changed): no resize event, but the media query of the old ratio stops matching
function watchRatio() {
  window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener("change", () => {
    redrawForRatio();
    watchRatio();
  }, { once: true });
}
watchRatio();

// the focus is never hidden under the sticky export bar (WCAG 2.4.11): the page scrolls a
// control the keyboard reaches to above it (a 1280 x 800 screen at 200 % is 400 pixels high,
// and the bar covered the Lecture button and "Show test data"); on a phone the bar is not
// sticky and the status line, while it speaks, is what covers the bottom: the page then ends
// as much lower, so that its last controls (Data (CSV)) can be scrolled to above it
function padForBar() {
  const bar = document.querySelector(".bottom"), st = $("status");
  const fixed = getComputedStyle(st).position === "fixed" ? st.offsetHeight : 0;
  const cover = getComputedStyle(bar).position === "sticky" ? bar.offsetHeight : fixed;
  document.documentElement.style.scrollPaddingBottom = cover + 8 + "px";
  document.body.style.paddingBottom = fixed ? fixed + "px" : "";
}
new ResizeObserver(padForBar).observe(document.querySelector(".bottom"));
new ResizeObserver(padForBar).observe($("status"));
padForBar();
