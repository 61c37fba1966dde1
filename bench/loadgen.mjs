// The benchmark's load generator: meetings of 14 devices (facilitator, wall, 12 phones), one write
// per meeting per second, alternating a reveal (by the facilitator) and an interpretation (by a
// phone). Written in Node with socket.io-client so the generator is never the bottleneck; it
// reports its own CPU and event-loop delay to prove it. Driven by bench_fanout.py over stdin and
// stdout: it prints "@created", "@connected" and waits for a line before each next stage, then
// prints "@result <json>" and exits.
//
//   node loadgen.mjs '{"kind":"tijdlijn","urls":["http://127.0.0.1:8000"],"meetings":10,"seconds":10}'
//
// kind: "tijdlijn" (the real protocol: HTTP setup, tokens, moment.reveal, interpretation.add),
// "socketio" (a bare room broadcast: auth {room}, one "write" event), "raw" (plain WebSocket JSON).
// Matching is by seq: an ack names the seq of its write, every event carries its seq.
// A `busy` (or `unavailable`) answer is retried as the browser does (web/shared/connection.js):
// the same op_id after a pause that doubles from 100-200 ms up to 2.5-5 s, drawn at random in its
// upper half; at most MAX_TRIES tries. With "recover": N (the overload step), after the measured
// seconds it prints "@measured", lets only the first N meetings go on writing for "seconds" more
// (the load dropped back, nothing restarted) and reports that phase as "recovery". "rate" (1 if
// not given) is writes per meeting per second in the first phase: the overload step doubles the
// load with it where the machine's open-file limit does not allow twice the meetings.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createInterface } from "node:readline";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { io } from "socket.io-client";
import WebSocket from "ws";

const cfg = JSON.parse(process.argv[2]);
const DEVICES = 14;
const PHONES = 12;
const ACK_TIMEOUT_MS = 10_000;
const GRACE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 60_000;
const RETRY_CODES = new Set(["busy", "unavailable"]);
const MAX_TRIES = 12;
const retryDelay = (tries) => {
  const ceiling = Math.min(5000, 100 * 2 ** tries);
  return ceiling / 2 + Math.random() * (ceiling / 2);
};
const now = () => performance.now();

// V8's full collection on demand, without a command-line flag.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc");

const lines = createInterface({ input: process.stdin });
const waiting = [];
lines.on("line", () => waiting.shift()?.());
async function stage(name) {
  process.stdout.write(`@${name}\n`);
  await new Promise((resolve) => waiting.push(resolve));
}

// LOADGEN_PROFILE=PREFIX: V8's CPU profile of each measured phase to PREFIX-<phase>.cpuprofile
// (open it in Chrome's DevTools), to see what the generator itself was busy with when it was late.
async function profiled(number, fn) {
  const prefix = process.env.LOADGEN_PROFILE;
  if (!prefix) return fn();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(`${prefix}-${number}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

async function limited(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function run() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, run));
  return out;
}

async function json(url, body) {
  const res = await fetch(url, body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

// Tokens per meeting for Tijdlijn: [facilitator, wall, 12 phones].
async function createMeeting(base) {
  const colours = ["#E69F00", "#56B4E9", "#009E73", "#0072B2"];
  const parties = colours.map((colour, i) => ({ name: `Partij ${i}`, colour }));
  const made = await json(`${base}/api/meetings`, { title: "Bench", initials: "B.M.", parties });
  const ids = (await json(`${base}/api/join/${made.join_code}`)).parties.map((p) => p.id);
  const tokens = [made.facilitator_token, made.wall_token];
  for (let i = 0; i < PHONES; i++) {
    const joined = await json(`${base}/api/join`, { code: made.join_code, party_id: ids[i % 4] });
    tokens.push(joined.token);
  }
  return tokens;
}

const fresh = () => ({
  disconnects: 0, connectErrors: 0, errorAcks: {}, unanswered: 0, delivered: 0, duplicates: 0, busy: 0,
  unavailable: 0, retried: 0, gaveUp: 0,
});
let stats = fresh();
let recording = false;

// One device: connect, then hand every "event" to onEvent(seq, deviceIndex, time).
class Device {
  constructor(meeting, index) {
    this.meeting = meeting;
    this.index = index;
    this.nextId = 0;
    this.pending = new Map();
  }

  connect(url, auth) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connect timeout")), CONNECT_TIMEOUT_MS);
      const done = () => { clearTimeout(timer); resolve(); };
      if (cfg.kind === "raw") {
        const ws = new WebSocket(`${url.replace("http", "ws")}/ws?room=${auth.room}`, {
          perMessageDeflate: false,
        });
        this.ws = ws;
        ws.on("open", done);
        ws.on("error", (e) => { stats.connectErrors++; clearTimeout(timer); reject(e); });
        ws.on("close", () => { if (!this.closing) stats.disconnects++; });
        ws.on("message", (raw) => {
          const t = now();
          const msg = JSON.parse(raw.toString());
          if (msg.event) this.meeting.onEvent(msg.event.seq, this.index, t);
          else if (msg.ack !== undefined) this.pending.get(msg.ack)?.(msg);
        });
        return;
      }
      const socket = io(url, {
        transports: ["websocket"], auth, reconnection: false, forceNew: true, timeout: CONNECT_TIMEOUT_MS,
      });
      this.socket = socket;
      socket.on("event", (event) => this.meeting.onEvent(event.seq, this.index, now()));
      socket.on("connect_error", (e) => { stats.connectErrors++; clearTimeout(timer); reject(e); });
      socket.on("disconnect", () => { if (!this.closing) stats.disconnects++; });
      if (cfg.kind === "tijdlijn") socket.once("snapshot", done);
      else socket.once("connect", done);
    });
  }

  // Resolves with the ack, or null after ACK_TIMEOUT_MS.
  call(name, data) {
    return new Promise((resolve) => {
      if (cfg.kind === "raw") {
        const id = ++this.nextId;
        const timer = setTimeout(() => { this.pending.delete(id); resolve(null); }, ACK_TIMEOUT_MS);
        this.pending.set(id, (msg) => { clearTimeout(timer); this.pending.delete(id); resolve(msg); });
        this.ws.send(JSON.stringify({ id, name, data }));
        return;
      }
      const [event, payload] = cfg.kind === "tijdlijn" ? [name, data] : ["write", { name, ...data }];
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => resolve(err ? null : ack));
    });
  }

  close() {
    this.closing = true;
    if (this.socket) this.socket.disconnect();
    if (this.ws) this.ws.close();
  }
}

class Meeting {
  constructor(number) {
    this.number = number;
    this.devices = [];
    // seq -> {times, count}: each device's arrival time (NaN until it came) in one typed array:
    // one small object per event rather than one per arrival, so V8 collects less while measuring.
    this.arrivals = new Map();
    this.writes = []; // {kind, emitter, sent, acked, seq}
    this.momentId = null;
  }

  onEvent(seq, device, t) {
    if (!recording) return;
    stats.delivered++;
    let seen = this.arrivals.get(seq);
    if (!seen) this.arrivals.set(seq, (seen = { times: new Float64Array(DEVICES).fill(NaN), count: 0 }));
    if (Number.isNaN(seen.times[device])) seen.count++;
    else stats.duplicates++;
    seen.times[device] = t;
  }

  async connect(tokens) {
    for (let i = 0; i < DEVICES; i++) {
      const device = new Device(this, i);
      const url = cfg.urls[i % cfg.urls.length];
      const auth = cfg.kind === "tijdlijn" ? { token: tokens[i] } : { room: `m${this.number}` };
      await device.connect(url, auth);
      this.devices.push(device);
    }
  }

  // Tijdlijn: drafts for the reveals and one revealed moment to interpret, before measuring.
  async prepare(reveals) {
    if (cfg.kind !== "tijdlijn") return;
    const facilitator = this.devices[0];
    // Setup is not measured; a busy server is asked again (same op id) until it answers.
    const add = async (data) => {
      for (let tries = 1; ; tries++) {
        const ack = await facilitator.call("moment.add", data);
        if (!RETRY_CODES.has(ack?.error?.code) || tries >= MAX_TRIES) {
          if (!ack?.ok) throw new Error(`prepare: ${JSON.stringify(ack)}`);
          return ack;
        }
        await new Promise((r) => setTimeout(r, retryDelay(tries)));
      }
    };
    this.momentId = (await add({ op_id: "p0", text: "Moment", reveal: true })).id;
    for (let k = 1; k <= reveals; k++) await add({ op_id: `p${k}`, text: `Concept ${k}` });
  }

  async write(n, phase) {
    const reveal = n % 2 === 0;
    const emitter = reveal ? 0 : 2 + (n % PHONES);
    const op = `w${phase}-${n}`;
    const data = reveal
      ? { op_id: op }
      : { op_id: op, moment_id: this.momentId ?? "m", text: `Duiding ${phase}-${n}` };
    // sent: the first emit (what a person waits for); attempt: the emit that was answered.
    const record = {
      kind: reveal ? "reveal" : "interpretation", emitter, sent: now(), attempt: null, acked: null, seq: null,
    };
    this.writes.push(record);
    let ack = null;
    for (let tries = 1; ; tries++) {
      record.attempt = now();
      ack = await this.devices[emitter].call(reveal ? "moment.reveal" : "interpretation.add", data);
      const code = ack && !ack.ok ? ack.error?.code : null;
      if (!RETRY_CODES.has(code)) break;
      stats[code]++;
      if (tries >= MAX_TRIES) { stats.gaveUp++; break; }
      stats.retried++;
      await new Promise((r) => setTimeout(r, retryDelay(tries)));
    }
    record.acked = ack === null ? null : now();
    if (ack === null) stats.unanswered++;
    else if (!ack.ok) {
      const code = ack.error?.code ?? "?";
      stats.errorAcks[code] = (stats.errorAcks[code] ?? 0) + 1;
    } else record.seq = ack.seq;
  }

  // Every acknowledged write has reached all 13 other devices.
  complete() {
    return this.writes.every((w) => w.seq === null || (this.arrivals.get(w.seq)?.count ?? 0) >= DEVICES);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function summary(values) {
  const sorted = Float64Array.from(values).sort();
  const r = (x) => (x === null ? null : Math.round(x * 100) / 100);
  return { n: sorted.length, p50: r(percentile(sorted, 0.5)), p99: r(percentile(sorted, 0.99)), max: r(percentile(sorted, 1)) };
}

// One measured phase: `active` meetings write `rate` times a second for `seconds`, spread evenly
// over each second; then up to GRACE_MS for every acknowledged write to reach every device.
async function phase(meetings, active, seconds, number, rate = 1) {
  for (const m of meetings) { m.writes = []; m.arrivals = new Map(); }
  // The previous phase's records (over 100,000 arrivals at 1,000 meetings) are garbage now: a
  // full collection here, before measuring, instead of a V8 pause of 200-300 ms inside the next
  // phase that would stamp every arrival it held up as late (it did, in the recovery phase).
  collectGarbage();
  stats = fresh();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // V8's own pauses while measuring: a late arrival may be the generator's, not the server's.
  const pauses = [];
  const gcWatch = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([entry.detail?.kind ?? 0, entry.duration]);
  });
  gcWatch.observe({ entryTypes: ["gc"] });
  const cpu0 = process.cpuUsage();
  recording = true;
  const go = now() + 50;
  const end = go + seconds * 1000;
  const writers = meetings.slice(0, active);
  await profiled(number, () => Promise.all(writers.map(async (m, i) => {
    const jobs = [];
    for (let n = 0; ; n++) {
      const at = go + ((i / active) * 1000 + n * 1000) / rate;
      if (at >= end) break;
      await new Promise((r) => setTimeout(r, Math.max(0, at - now())));
      jobs.push(m.write(n, number));
    }
    await Promise.all(jobs);
  })));
  const graceEnd = now() + GRACE_MS;
  while (now() < graceEnd && !writers.every((m) => m.complete())) {
    await new Promise((r) => setTimeout(r, 20));
  }
  recording = false;
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (now() - go) / 1000;
  loop.disable();
  gcWatch.disconnect();

  const fanout = { reveal: [], interpretation: [] };
  const admitted = [];
  const ack = [];
  const wall = [];
  // Fan-out by the second of the phase its write was first sent in: when a recovery is over.
  const bySecond = Array.from({ length: Math.ceil(seconds) }, () => []);
  let writes = 0;
  let answered = 0;
  let acknowledged = 0;
  let missing = 0;
  for (const m of writers) {
    for (const w of m.writes) {
      writes++;
      if (w.acked !== null) answered++;
      if (w.seq === null) continue;
      acknowledged++;
      const times = m.arrivals.get(w.seq)?.times;
      for (let d = 0; d < DEVICES; d++) {
        if (d === w.emitter) continue;
        const t = times ? times[d] : NaN;
        if (Number.isNaN(t)) { missing++; continue; }
        fanout[w.kind].push(t - w.sent);
        bySecond[Math.min(bySecond.length - 1, Math.max(0, Math.floor((w.sent - go) / 1000)))].push(t - w.sent);
        admitted.push(t - w.attempt);
        if (d === 1 && w.kind === "interpretation") wall.push(t - w.sent);
      }
      if (w.kind === "interpretation") ack.push(w.acked - w.sent);
    }
  }
  const all = [...fanout.reveal, ...fanout.interpretation];
  return {
    meetings: active,
    seconds,
    writes,
    // Every write got a final answer (after its retries); acknowledged: answered ok.
    answered,
    acknowledged,
    delivered: stats.delivered,
    // An event a device got twice (an acknowledged change must show once).
    duplicates: stats.duplicates,
    missing,
    unanswered: stats.unanswered,
    busy_answers: stats.busy,
    unavailable_answers: stats.unavailable,
    retries: stats.retried,
    gave_up: stats.gaveUp,
    error_acks: stats.errorAcks,
    disconnects: stats.disconnects,
    connect_errors: stats.connectErrors,
    fanout_ms: summary(all),
    fanout_p99_by_second_ms: bySecond.map((values) => summary(values).p99),
    // From the emit that was admitted (the last try) to arrival: the server's own speed.
    fanout_admitted_ms: summary(admitted),
    reveal_ms: summary(fanout.reveal),
    interpretation_wall_ms: summary(wall),
    interpretation_ack_ms: summary(ack),
    loadgen_cpu_percent: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 1000) / 10,
    loadgen_loop_delay_ms: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    // kind 1 scavenge, 2 minor mark-sweep, 4 mark-sweep-compact, 8 incremental, 16 weak callbacks
    loadgen_gc_ms: {
      count: pauses.length,
      total: Math.round(pauses.reduce((sum, [, d]) => sum + d, 0)),
      max: Math.round(Math.max(0, ...pauses.map(([, d]) => d))),
      longest: pauses.sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, d]) => [k, Math.round(d)]),
    },
  };
}

async function main() {
  const base = cfg.urls[0];
  const count = cfg.meetings;
  const seconds = cfg.seconds;
  const recover = cfg.recover ?? 0;
  const rate = cfg.rate ?? 1;
  const reveals = Math.ceil((seconds * rate) / 2) + 1 + (recover ? Math.ceil(seconds / 2) + 1 : 0);
  const meetings = Array.from({ length: count }, (_, i) => new Meeting(i));
  const tokens = cfg.kind === "tijdlijn" ? await limited(meetings, 16, () => createMeeting(base)) : [];
  await stage("created");
  await limited(meetings, 32, (m, i) => m.connect(tokens[i]));
  await limited(meetings, 32, (m) => m.prepare(reveals));
  await stage("connected");

  const result = { kind: cfg.kind, connections: count * DEVICES, ...(await phase(meetings, count, seconds, 0, rate)), rate };
  if (recover) {
    process.stdout.write("@measured\n");
    result.recovery = await phase(meetings, recover, seconds, 1);
  }
  for (const m of meetings) for (const d of m.devices) d.close();
  process.stdout.write(`@result ${JSON.stringify(result)}\n`);
  lines.close();
  setTimeout(() => process.exit(0), 200);
}

main().catch((e) => {
  process.stdout.write(`@failed ${JSON.stringify(String(e?.stack ?? e))}\n`);
  process.exit(1);
});
