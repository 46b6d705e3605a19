// The essaymap web app: calls the server's own API (/v1/...) and shows the
// pages the HTML renderer and the class report draw, in frames. Essay text is
// only ever set with textContent or sent to the server, never parsed as HTML
// here; the pages in the frames come escaped from the server and run only
// the scripts its Content-Security-Policy allows by hash.
'use strict';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'essaymap-token';
let token = sessionStorage.getItem(TOKEN_KEY) || '';

function status(el, text, isError) {
  el.textContent = text;
  el.classList.toggle('error', Boolean(isError));
}

function askToken() {
  const form = $('token-form');
  form.hidden = false;
  $('token').focus();
}

// fetch() with the token, turning error answers into exceptions with the
// server's message.
async function api(path, opts) {
  const o = Object.assign({}, opts || {});
  o.headers = Object.assign({}, o.headers || {});
  if (token) o.headers.Authorization = 'Bearer ' + token;
  const res = await fetch(path, o);
  if (res.status === 401) {
    askToken();
    throw new Error('This server needs its access token: enter it above, then try again.');
  }
  if (!res.ok) {
    let message = res.status + ' ' + res.statusText;
    try {
      const body = await res.json();
      if (body && body.error && body.error.message) message = body.error.message;
    } catch (_) { /* not JSON */ }
    if (res.status === 503) message += ' (the server is busy; try again in a moment)';
    throw new Error(message);
  }
  return res;
}

function save(name, type, data) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function ext(name) {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1).toLowerCase();
}

function stem(name) {
  const i = name.lastIndexOf('.');
  return (i < 0 ? name : name.slice(0, i)) || 'essay';
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

// The text of a dropped or chosen essay file (.docx read by the server).
async function fileText(file) {
  if (ext(file.name) === 'docx') {
    const res = await api('/v1/extract', { method: 'POST', headers: { 'Content-Type': DOCX }, body: file });
    return (await res.json()).text;
  }
  return file.text();
}

// Frames fit their page, so the page scrolls as one.
function fit(frame) {
  try {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement) frame.style.height = (doc.documentElement.scrollHeight + 24) + 'px';
  } catch (_) { /* not readable */ }
}

/* ---------- tabs ---------- */

function selectTab(which) {
  for (const name of ['one', 'class']) {
    const on = name === which;
    const tab = $('tab-' + name);
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $('panel-' + name).hidden = !on;
  }
}

function setUpTabs() {
  const tabs = [$('tab-one'), $('tab-class')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(i === 0 ? 'one' : 'class'));
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = tabs[(i + 1) % tabs.length];
      selectTab(next === tabs[0] ? 'one' : 'class');
      next.focus();
      e.preventDefault();
    });
  });
}

/* ---------- drop zones ---------- */

function dropZone(el, onFiles) {
  el.addEventListener('dragover', (e) => { e.preventDefault(); el.classList.add('over'); });
  el.addEventListener('dragleave', () => el.classList.remove('over'));
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    el.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) onFiles(Array.from(e.dataTransfer.files));
  });
}

/* ---------- one essay ---------- */

const one = { name: 'essay', json: '', html: '', request: null };

async function loadEssayFile(file) {
  const st = $('one-status');
  try {
    status(st, 'Reading ' + file.name + '…');
    $('essay').value = await fileText(file);
    one.name = stem(file.name);
    status(st, 'Read ' + file.name + '. Press Analyse.');
  } catch (e) {
    status(st, 'Could not read ' + file.name + ': ' + e.message, true);
  }
}

async function analyse(format) {
  const res = await api('/v1/analyze?format=' + format, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(one.request),
  });
  return res.text();
}

async function runOne(e) {
  e.preventDefault();
  const st = $('one-status');
  const text = $('essay').value;
  if (!text.trim()) {
    status(st, 'Paste an essay or open a file first.', true);
    $('essay').focus();
    return;
  }
  const prompt = $('prompt').value.trim();
  one.request = { text };
  if (prompt) one.request.title = prompt;
  const button = $('analyse');
  button.disabled = true;
  status(st, 'Analysing…');
  try {
    const [json, html] = await Promise.all([analyse('json'), analyse('html')]);
    one.json = json;
    one.html = html;
    const a = JSON.parse(json);
    const counts = { claim: 0, evidence: 0 };
    for (const s of a.sentences) if (s.label in counts) counts[s.label] += 1;
    const nodes = a.map && a.map.nodes ? a.map.nodes.length : 0;
    const result = $('one-result');
    result.dataset.nodes = String(nodes);
    $('one-summary').textContent = a.sentences.length + ' sentences, ' + counts.claim + ' claims, '
      + counts.evidence + ' evidence, ' + nodes + ' map nodes';
    const frame = $('one-frame');
    frame.onload = () => { fit(frame); result.dataset.ready = '1'; };
    result.dataset.ready = '';
    frame.srcdoc = html;
    result.hidden = false;
    status(st, 'Done.');
  } catch (err) {
    status(st, err.message, true);
  } finally {
    button.disabled = false;
  }
}

function setUpOne() {
  $('one-form').addEventListener('submit', runOne);
  $('essay-file').addEventListener('change', (e) => {
    if (e.target.files.length) loadEssayFile(e.target.files[0]);
  });
  dropZone($('essay'), (files) => loadEssayFile(files[0]));
  $('dl-json').addEventListener('click', () => save(one.name + '.json', 'application/json', one.json));
  $('dl-html').addEventListener('click', () => save(one.name + '.html', 'text/html', one.html));
  $('dl-aif').addEventListener('click', async () => {
    try {
      save(one.name + '.xaif.json', 'application/json', await analyse('aif'));
    } catch (err) {
      status($('one-status'), err.message, true);
    }
  });
}

/* ---------- a class ---------- */

const klass = { files: [], jsonl: '', site: null };

function chooseClassFiles(files) {
  klass.files = files;
  $('class-chosen').textContent = files.length === 1 ? files[0].name : files.length + ' files';
}

// What to send to /v1/batch for the chosen files, and how many records
// to expect (null: unknown until done).
async function classBody(files, st) {
  if (files.length === 1) {
    const f = files[0];
    const x = ext(f.name);
    if (x === 'csv') return { type: 'text/csv', body: f, total: null };
    if (x === 'zip') return { type: 'application/zip', body: f, total: null };
    if (x === 'jsonl' || x === 'ndjson' || x === 'json') {
      const text = await f.text();
      const total = text.split('\n').filter((l) => l.trim()).length;
      return { type: 'application/x-ndjson', body: text, total };
    }
  }
  const lines = [];
  for (const [i, f] of files.entries()) {
    if (!['txt', 'md', 'docx'].includes(ext(f.name))) {
      throw new Error(f.name + ': choose one CSV, JSONL or .zip file, or several .txt, .md or .docx essays');
    }
    status(st, 'Reading ' + (i + 1) + ' of ' + files.length + ' files…');
    let text;
    try {
      text = await fileText(f);
    } catch (err) {
      text = '';
    }
    lines.push(JSON.stringify({ id: f.name, text }));
  }
  return { type: 'application/x-ndjson', body: lines.join('\n') + '\n', total: files.length };
}

async function runClass(e) {
  e.preventDefault();
  const st = $('class-status');
  if (!klass.files.length) {
    status(st, 'Choose or drop the class\'s files first.', true);
    $('class-files').focus();
    return;
  }
  const button = $('run-class');
  button.disabled = true;
  $('class-result').hidden = true;
  const box = $('class-progress-box');
  const bar = $('class-progress');
  try {
    const { type, body, total } = await classBody(klass.files, st);
    box.hidden = false;
    if (total) { bar.max = total; bar.value = 0; } else { bar.removeAttribute('value'); }
    status(st, 'Analysing…');
    const res = await api('/v1/batch', { method: 'POST', headers: { 'Content-Type': type }, body });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const lines = [];
    let rest = '';
    let failed = 0;
    for (;;) {
      const { value, done } = await reader.read();
      rest += decoder.decode(value || new Uint8Array(), { stream: !done });
      const parts = rest.split('\n');
      rest = parts.pop();
      for (const line of parts) {
        if (!line) continue;
        lines.push(line);
        if (line.includes('"error":')) {
          try { if (JSON.parse(line).error) failed += 1; } catch (_) { failed += 1; }
        }
      }
      if (total) bar.value = lines.length;
      status(st, lines.length + (total ? ' of ' + total : '') + ' essays analysed'
        + (failed ? ' (' + failed + ' could not be)' : '') + '…');
      if (done) break;
    }
    klass.jsonl = lines.join('\n') + '\n';
    status(st, 'Making the class report…');
    const title = $('class-title').value.trim() || 'Class report';
    const report = await api('/v1/report?format=json&title=' + encodeURIComponent(title), {
      method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: klass.jsonl,
    });
    klass.site = await report.json();
    showPage(null);
    $('class-result').hidden = false;
    status(st, lines.length + ' essays: ' + (lines.length - failed) + ' analysed'
      + (failed ? ', ' + failed + ' could not be (listed in the report)' : '') + '.');
    bar.max = 1; bar.value = 1;
  } catch (err) {
    status(st, err.message, true);
  } finally {
    button.disabled = false;
  }
}

// Shows the class page (href null) or one essay page in the frame; links
// between them are followed here, since the pages live in memory.
function showPage(href) {
  const site = klass.site;
  const frame = $('class-frame');
  const page = href && site.essays.find((p) => p.href === href);
  $('back-class').hidden = !page;
  const result = $('class-result');
  result.dataset.ready = '';
  result.dataset.page = page ? href : 'class';
  frame.onload = () => {
    fit(frame);
    const doc = frame.contentDocument;
    if (doc) {
      doc.addEventListener('click', (ev) => {
        const a = ev.target.closest && ev.target.closest('a[href]');
        if (!a) return;
        const target = a.getAttribute('href');
        if (target.startsWith('#')) return;
        ev.preventDefault();
        if (target.endsWith('class.html')) showPage(null);
        else if (site.essays.some((p) => p.href === target)) showPage(target);
      });
    }
    result.dataset.ready = '1';
  };
  frame.srcdoc = page ? page.html : site.class_page;
}

async function downloadReport(format, name, type) {
  try {
    const title = $('class-title').value.trim() || 'Class report';
    const res = await api('/v1/report?format=' + format + '&title=' + encodeURIComponent(title), {
      method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: klass.jsonl,
    });
    save(name, type, await res.blob());
  } catch (err) {
    status($('class-status'), err.message, true);
  }
}

function setUpClass() {
  $('class-form').addEventListener('submit', runClass);
  $('class-files').addEventListener('change', (e) => chooseClassFiles(Array.from(e.target.files)));
  dropZone($('class-drop'), chooseClassFiles);
  $('dl-csv').addEventListener('click', () => downloadReport('csv', 'gradebook.csv', 'text/csv'));
  $('dl-zip').addEventListener('click', () => downloadReport('html', 'class-report.zip', 'application/zip'));
  $('dl-jsonl').addEventListener('click', () => save('analyses.jsonl', 'application/x-ndjson', klass.jsonl));
  $('back-class').addEventListener('click', () => showPage(null));
}

/* ---------- start ---------- */

function setUpToken() {
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token-form').hidden = true;
  });
  fetch('/v1/health').then((r) => r.json()).then((h) => {
    if (h.token_required && !token) askToken();
  }).catch(() => { /* the first API call will say what is wrong */ });
}

setUpTabs();
setUpOne();
setUpClass();
setUpToken();
document.body.dataset.ready = '1';
