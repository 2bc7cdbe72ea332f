// The room's page: one row per attendee, one column per step. Everything
// an attendee sent is put on the page as text (textContent), never as
// markup, so a name or a line can only ever read as what it says.
'use strict';

// Each verdict's symbol and the CSS class that colours it: the symbol
// alone tells them apart.
const VERDICTS = {
  'passes': ['✓', 'passes'],
  'wrong': ['✗', 'wrong'],
  'wrong length': ['≠', 'wrong-length'],
  'does not compile': ['⚠', 'does-not-compile'],
  'panics': ['!', 'panics'],
  'crashed': ['‼', 'crashed'],
  'never finishes': ['∞', 'never-finishes'],
  'lesson missed': ['½', 'lesson-missed'],
  'stub': ['○', 'stub'],
  'missing': ['?', 'missing'],
  'not on this machine': ['–', 'not-on-this-machine'],
};
const UNKNOWN = ['·', 'none'];
// Verdicts that are not a step to work on here.
const PASSED_BY = new Set(['passes', 'not on this machine']);

let shown = null;
let receivedAt = 0;

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

// Seconds since `at` (the room's clock), counting the time since the
// data came.
function age(at) {
  return Math.max(0, shown.now - at + (Date.now() - receivedAt) / 1000);
}

function minutes(seconds) {
  const m = Math.floor(seconds / 60);
  return m < 1 ? 'just now' : m + ' min';
}

function said(verdict) {
  let words = verdict.verdict;
  if (verdict.differing !== null && verdict.differing !== undefined) words += ' (' + verdict.differing + ' points)';
  if (verdict.line) words += ': ' + verdict.line;
  return words;
}

// The step an attendee is on: the first they have not passed.
function onStep(room, attendee) {
  for (const step of room.steps) {
    const verdict = attendee.steps[step.id];
    if (!verdict || !PASSED_BY.has(verdict.verdict)) return step;
  }
  return null;
}

function isStuck(room, attendee) {
  const step = onStep(room, attendee);
  const verdict = step && attendee.steps[step.id];
  return Boolean(verdict) && age(verdict.since) >= room.stuck_after;
}

function cellFor(verdict) {
  if (!verdict) return element('td', 'verdict none', '·');
  const [symbol, className] = VERDICTS[verdict.verdict] || UNKNOWN;
  const cell = element('td', 'verdict ' + className, symbol);
  let title = said(verdict);
  if (verdict.seconds !== null && verdict.reference_seconds) {
    const ratio = verdict.seconds / verdict.reference_seconds;
    cell.appendChild(element('small', null, ratio.toFixed(2) + '×'));
    title += ' (' + ratio.toFixed(2) + '× the reference\'s time)';
  }
  cell.title = title;
  return cell;
}

function render() {
  const room = shown;
  document.getElementById('join-command').textContent =
    'cargo run -- join ' + room.address + ' ' + room.code + ' --name "Your Name"';
  document.getElementById('stuck-after').textContent = minutes(room.stuck_after).replace('just now', room.stuck_after + ' s');

  const head = document.getElementById('steps');
  head.replaceChildren(element('th', 'name', 'Attendee'), element('th', null, 'On'));
  for (const step of room.steps) {
    const th = element('th', null, step.id.replace('step', ''));
    th.title = step.id + ': ' + step.name;
    head.appendChild(th);
  }
  head.appendChild(element('th', null, 'Changed'));
  head.appendChild(element('th', null, 'Latest'));

  const rows = [];
  for (const attendee of room.attendees) {
    const row = element('tr');
    const name = element('td', 'name', attendee.name);
    if (attendee.hand !== null) {
      row.classList.add('hand');
      name.appendChild(element('span', 'flag', '☝ help, ' + minutes(age(attendee.hand))));
    }
    if (isStuck(room, attendee)) {
      row.classList.add('stuck');
      const step = onStep(room, attendee);
      name.appendChild(element('span', 'flag', '⚑ stuck, ' + minutes(age(attendee.steps[step.id].since))));
    }
    row.appendChild(name);
    const on = onStep(room, attendee);
    row.appendChild(element('td', 'on', on ? on.id.replace('step', '') + ' ' + on.name : 'all done'));
    for (const step of room.steps) row.appendChild(cellFor(attendee.steps[step.id]));
    row.appendChild(element('td', 'age', minutes(age(attendee.changed))));
    const latest = attendee.latest && attendee.steps[attendee.latest];
    row.appendChild(element('td', 'latest', latest ? attendee.latest + ' ' + said(latest) : 'joined'));
    rows.push(row);
  }
  document.getElementById('attendees').replaceChildren(...rows);

  const totals = document.getElementById('totals');
  totals.replaceChildren(element('td', 'name', 'Passing'), element('td'));
  const summary = [];
  for (const step of room.steps) {
    const verdicts = room.attendees.map((a) => a.steps[step.id]).filter(Boolean);
    const passing = verdicts.filter((v) => v.verdict === 'passes').length;
    totals.appendChild(element('td', null, passing + '/' + room.attendees.length));
    const stuck = room.attendees.filter((a) => onStep(room, a) === step && isStuck(room, a)).length;
    // The room's common mistake: the failing verdict and first line most
    // attendees share (a stub is not a mistake).
    const counts = new Map();
    for (const v of verdicts) {
      if (PASSED_BY.has(v.verdict) || v.verdict === 'stub') continue;
      const key = said(v);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const item = element('li', null, step.id.replace('step', '') + ' ' + step.name + ': ' +
      passing + ' pass · ' + stuck + ' stuck');
    let common = null;
    for (const [key, count] of counts) if (!common || count > common[1]) common = [key, count];
    if (common) item.appendChild(element('span', 'common', ' · most common (' + common[1] + '×): ' + common[0]));
    summary.push(item);
  }
  totals.appendChild(element('td'));
  totals.appendChild(element('td'));
  document.getElementById('summary').replaceChildren(...summary);

  document.getElementById('empty').hidden = room.attendees.length > 0;
  document.body.dataset.version = String(room.version);
}

function legend() {
  const list = document.getElementById('legend');
  for (const [label, [symbol, className]] of Object.entries(VERDICTS)) {
    const item = element('li');
    item.appendChild(element('span', 'swatch ' + className, symbol));
    item.appendChild(element('span', null, label));
    list.appendChild(item);
  }
}

function show(room) {
  shown = room;
  receivedAt = Date.now();
  render();
}

// News: the room holds each request until a verdict changes it (or a
// while passes), so the page shows a verdict as soon as it lands.
async function follow() {
  const lost = document.getElementById('connection');
  for (;;) {
    try {
      const answer = await fetch('/api/room?after=' + shown.version, { cache: 'no-store' });
      if (!answer.ok) throw new Error('HTTP ' + answer.status);
      const room = await answer.json();
      lost.hidden = true;
      show(room);
    } catch (_) {
      lost.hidden = false;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

legend();
show(JSON.parse(document.getElementById('room-data').textContent));
// Ages and the stuck flag move with the clock, not only with news.
setInterval(render, 15000);
follow();
