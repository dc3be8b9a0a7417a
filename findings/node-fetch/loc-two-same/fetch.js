// redirspec live adapter for node's global fetch (undici), redirect: "follow".
// Usage: node fetch.js METHOD URL BODY_FILE|"" HEADERS_JSON_FILE [COUNT]
//        node fetch.js --serve
// COUNT (default 1): the request is made that many times in a row, each awaited to its end.
// Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
//
// --serve: one process for many scenarios. Reads one JSON object per line on stdin
// ({"method", "url", "headers": [[name, value], ...], "body": [bytes] or null, "count"}),
// runs them one after another and answers each with one line on stdout,
// `@@redirspec {"status": N}` or `@@redirspec {"error": "..."}`. Every scenario gets a new
// undici Agent (its own connection pool), closed when the scenario ends, so no connection
// crosses scenarios; fetch keeps no cookies or cache of its own. Exits at the end of stdin.
"use strict";
const fs = require("fs");

// A string body, as most callers pass it (a Buffer body trips an undici bug on 307/308
// replays in node 20: "Cannot perform ArrayBuffer.prototype.slice on a detached ArrayBuffer").
function init(method, headers, body, dispatcher) {
  const i = { method, headers, redirect: "follow" };
  if (body !== null && body !== undefined) i.body = body;
  if (dispatcher) i.dispatcher = dispatcher;
  return i;
}

async function run(url, options, count) {
  let status = 0;
  for (let i = 0; i < count; i++) {
    const res = await fetch(url, options);
    await res.arrayBuffer();
    status = res.status;
  }
  return status;
}

function message(err) {
  const cause = err && err.cause ? ": " + (err.cause.message || err.cause) : "";
  return String(err && err.message ? err.message : err) + cause;
}

function countOf(v) {
  return /^[1-5]$/.test(String(v === undefined ? "" : v)) ? Number(v) : 1;
}

async function serve() {
  // node's fetch has no exported Agent; the global dispatcher, created by the first fetch
  // (a data: URL here, no request), is one, and its constructor makes fresh ones.
  await (await fetch("data:,")).arrayBuffer();
  const global = globalThis[Symbol.for("undici.globalDispatcher.1")];
  if (!global || typeof global.constructor !== "function") {
    throw new Error("undici's global dispatcher not found: cannot make a fresh Agent");
  }
  const Agent = global.constructor;
  const answer = (o) => process.stdout.write("@@redirspec " + JSON.stringify(o) + "\n");
  const lines = require("readline").createInterface({ input: process.stdin, terminal: false });
  answer({ ready: true });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let agent = null;
    try {
      const s = JSON.parse(line);
      const body = s.body === null || s.body === undefined
        ? null : Buffer.from(s.body).toString("utf8");
      agent = new Agent();
      const status = await run(s.url, init(s.method, s.headers, body, agent), countOf(s.count));
      answer({ status });
    } catch (err) {
      answer({ error: message(err) });
    } finally {
      if (agent) await agent.destroy().catch(() => {});
    }
  }
}

if (process.argv[2] === "--serve") {
  serve().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(message(err) + "\n");
      process.exit(1);
    }
  );
} else {
  const [method, url, bodyFile, headersFile, countArg] = process.argv.slice(2);
  const headers = JSON.parse(fs.readFileSync(headersFile, "utf8"));
  const body = bodyFile ? fs.readFileSync(bodyFile, "utf8") : null;
  run(url, init(method, headers, body, null), countOf(countArg)).then(
    (status) => {
      process.stdout.write(status + "\n");
      process.exit(0);
    },
    (err) => {
      process.stderr.write(message(err) + "\n");
      process.exit(1);
    }
  );
}
