// redirspec live adapter for node's global fetch (undici), redirect: "follow".
// Usage: node fetch.js METHOD URL BODY_FILE|"" HEADERS_JSON_FILE [COUNT]
// COUNT (default 1): the request is made that many times in a row, each awaited to its end.
// Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
"use strict";
const fs = require("fs");
const [method, url, bodyFile, headersFile, countArg] = process.argv.slice(2);
const count = /^[1-5]$/.test(countArg || "") ? Number(countArg) : 1;
const headers = JSON.parse(fs.readFileSync(headersFile, "utf8"));
const init = { method, headers, redirect: "follow" };
if (bodyFile) {
  // A string body, as most callers pass it (a Buffer body trips an undici bug on 307/308
  // replays in node 20: "Cannot perform ArrayBuffer.prototype.slice on a detached ArrayBuffer").
  init.body = fs.readFileSync(bodyFile, "utf8");
}
async function run() {
  let status = 0;
  for (let i = 0; i < count; i++) {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    status = res.status;
  }
  return status;
}
run().then(
  (status) => {
    process.stdout.write(status + "\n");
    process.exit(0);
  },
  (err) => {
    const cause = err && err.cause ? ": " + (err.cause.message || err.cause) : "";
    process.stderr.write(String(err && err.message ? err.message : err) + cause + "\n");
    process.exit(1);
  }
);
