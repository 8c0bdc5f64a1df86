/*
 * Shared by the benchmarks: time a whole child process and record its peak
 * RSS and CPU time (through /usr/bin/time when present, else by polling
 * /proc for the RSS, and no CPU time), read the CPU time of a process group
 * (a portal), and take medians.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');

const TIME_BIN = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs `cmd args…` (with `env` added to this process's environment when
 * given); resolves with exit code, wall ms, peak RSS (MB), CPU ms (user +
 * system, NaN without /usr/bin/time) and output.
 */
function runTimed(cmd, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const argv = TIME_BIN ? ['-f', '%M %U %S', cmd, ...args] : args;
    const started = process.hrtime.bigint();
    const child = spawn(TIME_BIN ?? cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
    });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    const poll = TIME_BIN
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(
              fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'),
            );
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            // exited
          }
        }, 10);
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('error', reject);
    child.on('close', code => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      let rssKb = hwm;
      let cpuMs = NaN;
      if (TIME_BIN) {
        const lines = stderr.trim().split('\n');
        const [kb, user, sys] = lines.pop().split(' ').map(Number);
        rssKb = kb;
        cpuMs = (user + sys) * 1000;
        stderr = lines.join('\n');
      }
      resolve({ code, ms, rssMb: rssKb / 1024, cpuMs, stdout, stderr });
    });
  });
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * CPU ms (user + system, all threads) used so far by the live processes of
 * process group `pgid`, from /proc (Linux); NaN elsewhere. Read it before
 * and after a step for the step's CPU, e.g. a portal's back end.
 */
function groupCpuMs(pgid) {
  let ticks = 0;
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return NaN;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited
    }
    // Fields after "pid (comm)": state ppid pgrp … utime(12th) stime(13th).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * `--name value` pairs into { name: value }; a name followed by nothing or by
 * another `--name` is a flag ('true'). Throws on anything else.
 */
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]);
    if (!m) throw new Error(`Unexpected argument ${argv[i]}; use --name value`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) out[m[1]] = 'true';
    else {
      out[m[1]] = value;
      i++;
    }
  }
  return out;
}

module.exports = { TIME_BIN, runTimed, median, groupCpuMs, parseArgs };
