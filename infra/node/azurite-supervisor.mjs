// Runs Azurite for a parent process (the local host) so that Azurite's lifetime and output never depend on that
// parent: Azurite and this supervisor write to a log file (never to a pipe the parent reads), the group SIGINT a
// terminal sends on Ctrl+C is ignored (the parent stops the stack in order and sends SIGTERM last), and when the
// parent dies (even by SIGKILL) Azurite gets SIGTERM and is waited for, so it persists its latest state.
// The parent's death is noticed two ways: EOF on stdin (the parent holds the write end of that pipe) and a
// poll of its pid. A state file in the data folder names this supervisor while it runs, so a restarted parent
// waits for a still-stopping Azurite instead of starting a second one on the same data.
//
// Usage: node azurite-supervisor.mjs <parent-pid> <log-file> <state-file> <azurite args...>
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [parentArg, logFile, stateFile, ...args] = process.argv.slice(2);
const parentPid = Number(parentArg);
if (!Number.isInteger(parentPid) || parentPid <= 0 || !logFile || !stateFile) {
  console.error('usage: node azurite-supervisor.mjs <parent-pid> <log-file> <state-file> <azurite args...>');
  process.exit(2);
}

// Azurite waits for its servers to close and its metadata to be saved; only a hung Azurite is killed.
const gracefulStopMs = Number(process.env.FC4D_AZURITE_STOP_GRACE_MS ?? 30000);

function log(line) {
  try {
    appendFileSync(logFile, `[azurite-supervisor ${new Date().toISOString()}] ${line}\n`);
  } catch {
    // the log is best effort; never a reason to die
  }
}

// A write to a closed stdout/stderr must never kill the supervisor (EPIPE); everything goes to the log file.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const out = openSync(logFile, 'a');
const azurite = spawn(process.execPath, [join(here, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js'), ...args], {
  stdio: ['ignore', out, out],
});
writeFileSync(stateFile, JSON.stringify({ supervisorPid: process.pid, azuritePid: azurite.pid, parentPid, args }));
log(`started Azurite pid ${azurite.pid} for parent ${parentPid}`);

let stopping = false;
function stop(reason) {
  if (stopping) return;
  stopping = true;
  log(`stopping Azurite (SIGTERM): ${reason}`);
  azurite.kill('SIGTERM');
  setTimeout(() => {
    log(`Azurite did not stop within ${gracefulStopMs} ms; killing it`);
    azurite.kill('SIGKILL');
  }, gracefulStopMs).unref();
}

function parentAlive() {
  try {
    process.kill(parentPid, 0);
    return true;
  } catch {
    return false;
  }
}

const watch = setInterval(() => { if (!parentAlive()) stop(`parent ${parentPid} exited`); }, 500);
process.stdin.on('end', () => stop(`parent ${parentPid} closed the supervision pipe`));
process.stdin.on('error', () => stop(`parent ${parentPid} supervision pipe failed`));
process.stdin.resume();
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
// Ctrl+C in a terminal signals the whole foreground group; the parent decides when storage stops (last).
process.on('SIGINT', () => log('SIGINT ignored: the parent stops Azurite after the rest of the stack'));

azurite.on('exit', (code, signal) => {
  clearInterval(watch);
  log(`Azurite exited (code ${code}, signal ${signal})`);
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    if (state.supervisorPid === process.pid) rmSync(stateFile, { force: true });
  } catch {
    // already gone or replaced
  }
  process.exit(code ?? (signal ? 1 : 0));
});
