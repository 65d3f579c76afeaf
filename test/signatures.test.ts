import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import type { Snapshot } from '../lib/index.js';
import { signatureOf } from '../lib/report/signature.js';
import { childEnv, packageRoot } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'reftrace-signatures-'));

/** Runs the demo with a JSON report; returns its report and the signature lines of its stderr. */
function runDemo(name: string): { report: Snapshot; printed: string[] } {
	const path = join(scratch, `${name}.json`);
	const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', 'examples/.build/demo/main.js'], {
		cwd: packageRoot,
		env: childEnv({ REFTRACE_REPORT: path }),
		encoding: 'utf8',
	});
	expect(result.status).toBe(0);
	const printed = result.stderr.split('\n').flatMap((line) => /^ {2}signature: (.*)$/.exec(line)?.[1] ?? []);
	return { report: JSON.parse(readFileSync(path, 'utf8')) as Snapshot, printed };
}

beforeAll(() => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: packageRoot });
});

test('two runs of the demo give the same signatures, and its two bugs different ones', () => {
	const first = runDemo('first');
	const second = runDemo('second');
	const signatures = (run: typeof first) => run.report.signatures?.map(({ kind, hash, line, count }) => ({ kind, hash, line, count }));
	expect(signatures(second)).toEqual(signatures(first));
	const [doubleRelease, leak] = ['double-release', 'leak'].map((kind) => first.report.signatures?.find((s) => s.kind === kind));
	expect(doubleRelease?.line).toBe('double-release\tConnection\thandleRequest examples/demo/main.ts\tasync <anonymous> examples/demo/main.ts');
	expect(leak?.line).toBe('leak\tConnection\tConnectionPool.checkout examples/demo/pool.ts\tnew Session examples/demo/main.ts\tstartSession examples/demo/main.ts');
	expect(doubleRelease?.hash).toMatch(/^[0-9a-f]{8}$/);
	expect(leak?.hash).not.toBe(doubleRelease?.hash);
	// Printed under each report as `hash<TAB>line`, the same text in both runs (so `sort | uniq -c` counts them).
	expect(first.printed).toContain(`${doubleRelease?.hash}\t${doubleRelease?.line}`);
	expect(first.printed).toContain(`${leak?.hash}\t${leak?.line}`);
	expect(second.printed).toEqual(first.printed);
});

test('a signature names functions and files, not lines, so unrelated edits keep it', () => {
	const before = signatureOf('double-release', 'Conn#3', ['release (app.ts:10:5)', 'handler (app.ts:20:3)']);
	const after = signatureOf('double-release', 'Conn#7', ['release (app.ts:12:9)', 'handler (app.ts:25:3)']);
	expect(after).toEqual(before);
	expect(before.line).toBe('double-release\tConn\trelease app.ts\thandler app.ts');
	expect(signatureOf('double-release', 'Conn#3', ['close (app.ts:10:5)', 'handler (app.ts:20:3)']).hash).not.toBe(before.hash);
	expect(signatureOf('use-after-release', 'Conn#3', ['release (app.ts:10:5)', 'handler (app.ts:20:3)']).hash).not.toBe(before.hash);
});

test('a signature skips dependency frames and keeps at most three application frames', () => {
	const stack = ['Pool.get (node_modules/pool/index.js:1:1)', 'a (src/a.ts:1:1)', '… 3 frames in dependencies', 'b (src/b.ts:2:2)', 'src/c.ts:3:3', 'd (src/d.ts:4:4)'];
	expect(signatureOf('leak', 'Conn#1', stack).line).toBe('leak\tConn\ta src/a.ts\tb src/b.ts\t<anonymous> src/c.ts');
	expect(signatureOf('leak', 'Conn#1', []).line).toBe('leak\tConn\t<no stack>');
});
