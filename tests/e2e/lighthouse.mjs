// Lighthouse on a page, shared by tests/e2e/site.mjs, which judges the scores, and
// benchmarks/widgets/bench.mjs, which records them for `cargo xtask bench` to judge
// (xtask/src/bench/report.rs) by the same rule.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** The categories scored, by Lighthouse's keys. */
export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

/**
 * One Lighthouse run (the CLI in `modules`, the node_modules of xtask/tools) on `url`, in a
 * headless `chromium` started with `flags` and a profile of its own: each category's score out of
 * 100. Lighthouse runs as a child process, awaited, so that a server in the calling process keeps
 * answering it. A category Lighthouse could not score (a page that never painted, say) is an error.
 */
export async function lighthouseRun({ modules, chromium, flags, url }) {
  const scratch = mkdtempSync(join(tmpdir(), 'civicmetrics-lighthouse-'));
  try {
    const report = join(scratch, 'report.json');
    const child = spawn(process.execPath, [join(modules, 'lighthouse/cli/index.js'), url, '--quiet', '--output=json',
      `--output-path=${report}`, `--only-categories=${CATEGORIES.join(',')}`,
      `--chrome-flags=--headless=new ${flags.join(' ')} --user-data-dir=${join(scratch, 'profile')}`],
    { stdio: 'inherit', env: { ...process.env, CHROME_PATH: chromium } });
    const code = await new Promise((done, fail) => {
      child.on('error', fail);
      child.on('exit', done);
    });
    if (code !== 0) throw new Error(`Lighthouse on ${url} exited with ${code}`);
    const { categories, runtimeError } = JSON.parse(readFileSync(report, 'utf8'));
    return Object.fromEntries(CATEGORIES.map((key) => {
      const score = categories[key]?.score;
      if (typeof score !== 'number') {
        throw new Error(`Lighthouse could not score ${key} on ${url}: ${runtimeError?.message ?? 'no score'}`);
      }
      return [key, Math.round(score * 100)];
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The middle value; of an even count, the upper of the two middle ones. */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The scores a page is judged on from its runs. The performance score of one run swings with
 * whatever else the machine is doing: Lighthouse's simulated throttling scales the main thread's
 * measured work, and another process's load only ever adds to it (on a 2-core machine, 90 to 99
 * for the same page and build). As with timings, the least disturbed run is the best estimate of
 * the page's own cost: performance is its best run, so a page slower than the floor in every run
 * still fails. The other categories do not depend on load: their medians.
 */
export function judgedScores(runs) {
  const scores = Object.fromEntries(CATEGORIES.map((key) => [key, median(runs.map((run) => run[key]))]));
  scores.performance = Math.max(...runs.map((run) => run.performance));
  return scores;
}

/** One line on a page's runs: the judged scores, and every run's performance. */
export function describe(name, runs) {
  const scores = judgedScores(runs);
  return `Lighthouse ${name} (${runs.length} run${runs.length === 1 ? '' : 's'}): performance ${scores.performance} (best) `
    + `(runs ${runs.map((run) => run.performance).join(', ')}), accessibility ${scores.accessibility}, `
    + `best practices ${scores['best-practices']}, SEO ${scores.seo}`;
}
