import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { configure, snapshot, track, type Snapshot } from '../lib/index.js';
import { VIOLATION_KINDS } from '../lib/data.js';
import { matchRule, parseRules } from '../lib/report/suppression-rules.js';
import { childEnv, collectViolations, packageRoot } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'reftrace-suppressions-'));
const KINDS = ['double-release', 'leak'];

function rulesFile(name: string, text: string): string {
	const path = join(scratch, name);
	writeFileSync(path, text);
	return path;
}

function runDemo(env: Record<string, string>) {
	return spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', 'examples/.build/demo/main.js'], {
		cwd: packageRoot,
		env: childEnv(env),
		encoding: 'utf8',
	});
}

beforeAll(() => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: packageRoot });
});

afterEach(() => {
	configure({ suppressions: null });
});

test("suppressing the demo's leak leaves its double release reported and the exit code failing", () => {
	const rules = rulesFile('demo.supp', '# known: sessions are never closed\nleak:Session   # the constructor takes it\n\ndouble-release:noSuchFunction\n');
	const report = join(scratch, 'demo.json');
	const result = runDemo({ REFTRACE_SUPPRESSIONS: rules, REFTRACE_EXIT_CODE: '23', REFTRACE_REPORT: report });
	expect(result.status).toBe(23);
	expect(result.stderr).toMatch(/^reftrace: double-release: ref #\d+ of Connection#\d+ was released twice$/m);
	expect(result.stderr).not.toMatch(/^reftrace: leak:/m);
	expect(result.stderr.trimEnd().split('\n').slice(-5)).toEqual([
		'reftrace: no live references; violations reported: 1 double-release',
		expect.stringMatching(/^ {2}1× signature: [0-9a-f]{8}\tdouble-release\tConnection\t/),
		'  suppressed: 1 leak',
		`    leak:Session (${rules}:2) used 1 time`,
		`  warning: suppression rule double-release:noSuchFunction (${rules}:4) matched nothing`,
	]);
	const data = JSON.parse(readFileSync(report, 'utf8')) as Snapshot;
	expect(data.violations).toEqual({ 'double-release': 1 });
	expect(data.suppressed).toEqual({ leak: 1 });
	expect(data.suppressions).toEqual([
		{ rule: 'leak:Session', origin: `${rules}:2`, used: 1 },
		{ rule: 'double-release:noSuchFunction', origin: `${rules}:4`, used: 0 },
	]);
});

test('a bad rule in REFTRACE_SUPPRESSIONS is named by its line and suppresses nothing', () => {
	const rules = rulesFile('bad.supp', 'leak:Session\nlek:Session\n');
	const result = runDemo({ REFTRACE_SUPPRESSIONS: rules });
	expect(result.status).toBe(0);
	expect(result.stderr).toContain(`Suppression rule at ${rules}:2 names an unknown kind "lek"`);
	expect(result.stderr).toContain('no report is suppressed');
	expect(result.stderr).toMatch(/^reftrace: leak: ref #\d+ of Connection#\d+ \(owner Session\)/m);
});

test('configure rejects a bad rule or an unreadable file, naming where', () => {
	expect(() => configure({ suppressions: ['leak:Session', 'Session'] })).toThrow('Suppression rule at suppressions[1] is not `kind:pattern`: "Session"');
	expect(() => configure({ suppressions: ['leak:'] })).toThrow('Suppression rule at suppressions[0] has an empty pattern');
	expect(() => configure({ suppressions: join(scratch, 'missing.supp') })).toThrow(`Cannot read the suppressions file ${join(scratch, 'missing.supp')}`);
	expect(() => configure({ suppressions: 5 as unknown as string })).toThrow('Expected `suppressions` to be a file path, a list of rules or null, got number');
	expect(configure({}).suppressions).toEqual([]);
});

test('a suppressed violation reaches no policy and is counted apart; others of its kind still are reported', () => {
	const seen = collectViolations();
	configure({ suppressions: ['double-release:evictTwice'] });
	const before = snapshot().suppressed?.['double-release'] ?? 0;
	const root = track({}, { name: 'Quiet' });
	function evictTwice(): void {
		const ref = root.acquire('cache');
		ref.release();
		ref.release();
	}
	function releaseTwice(): void {
		const ref = root.acquire('cache');
		ref.release();
		ref.release();
	}
	evictTwice();
	releaseTwice();
	expect(seen.map((error) => error.culprit.stack[0])).toEqual([expect.stringMatching(/^releaseTwice \(test\/suppressions\.test\.ts:\d+:\d+\)$/)]);
	expect(snapshot().suppressed?.['double-release']).toBe(before + 1);
	expect(snapshot().suppressions).toEqual([{ rule: 'double-release:evictTwice', origin: 'suppressions[0]', used: 1 }]);
	root.release();
});

test('every violation kind parses as a rule kind, and a count-semantics violation is suppressed like any other', () => {
	// The kinds as the error classes declare them, read from their source: the list rules accept must name each.
	const declared = [...readFileSync(join(packageRoot, 'lib/errors.ts'), 'utf8').matchAll(/readonly kind = '([a-z-]+)'/g)].map((m) => m[1]);
	expect(declared).toContain('acquire-during-exclusive');
	expect([...VIOLATION_KINDS].sort()).toEqual([...new Set(declared)].sort());
	for (const kind of VIOLATION_KINDS) expect(configure({ suppressions: [`${kind}:legacy/`] }).suppressions.map((r) => r.text)).toEqual([`${kind}:legacy/`]);
	const seen = collectViolations();
	configure({ suppressions: ['use-after-revoke:readAfterUnplug'] });
	const root = track({ fd: 3 }, { name: 'Device' });
	const reader = root.acquire('reader');
	root.revoke('unplugged');
	function readAfterUnplug(): unknown {
		return reader.value;
	}
	function readAgain(): unknown {
		return reader.value;
	}
	readAfterUnplug();
	readAgain();
	expect(seen.map((error) => [error.kind, error.culprit.stack[0]])).toEqual([['use-after-revoke', expect.stringMatching(/^readAgain \(/)]]);
	expect(snapshot().suppressions).toEqual([{ rule: 'use-after-revoke:readAfterUnplug', origin: 'suppressions[0]', used: 1 }]);
	reader.release();
	root.release();
});

test('patterns match function names or file paths anywhere, with * and ? wildcards and ^ $ anchors', () => {
	const stack = ['Pool.checkout (node_modules/pool/index.js:3:1)', 'new Session (src/session.ts:10:5)', '… 2 frames in dependencies'];
	const match = (rule: string, kind = 'leak') => matchRule(parseRules([rule], KINDS, (i) => `r${i}`), kind, stack)?.text ?? null;
	expect(match('leak:Session')).toBe('leak:Session');
	expect(match('leak:^new Sess')).toBe('leak:^new Sess');
	expect(match('leak:^Session')).toBeNull();
	expect(match('leak:session.ts$')).toBe('leak:session.ts$');
	expect(match('leak:src/*.ts')).toBe('leak:src/*.ts');
	expect(match('leak:Pool.checkou?')).toBe('leak:Pool.checkou?');
	expect(match('leak:node_modules/pool/')).toBe('leak:node_modules/pool/');
	expect(match('leak:index.js:3')).toBeNull();
	expect(match('*:Session', 'double-release')).toBe('*:Session');
	expect(match('leak:Session', 'double-release')).toBeNull();
	expect(match('leak:Pool.checkout.')).toBeNull();
	expect(parseRules(['# only a comment', '   ', 'leak:a # and a comment'], KINDS, String).map((r) => r.text)).toEqual(['leak:a']);
});

test('live references at exit that a leak rule matches are left out of the exit report and its exit code', () => {
	const run = (rules: string) =>
		spawnSync(process.execPath, ['test/fixtures/kept-at-exit.mjs'], {
			cwd: packageRoot,
			env: childEnv({ REFTRACE_SUPPRESSIONS: rulesFile('kept.supp', rules), REFTRACE_EXIT_CODE: '23' }),
			encoding: 'utf8',
		});
	const one = run('leak:keepForever\n');
	expect(one.status).toBe(23);
	expect(one.stderr).toMatch(/^reftrace: leak report: 1 live ref to 1 object from 1 site\n {2}Cache#1 has 1\/2 refs at test\/fixtures\/kept-at-exit\.mjs:9:/);
	expect(one.stderr).toContain('  suppressed: 1 leak\n');
	const both = run('leak:kept-at-exit.mjs\n');
	expect(both.status).toBe(0);
	expect(both.stderr).toMatch(/^reftrace: no live references\n {2}suppressed: 2 leak\n {4}leak:kept-at-exit\.mjs \(.*kept\.supp:1\) used 2 times\n$/);
});

test('under the throw policy a suppressed misuse does not throw, and an unsuppressed one still does', () => {
	configure({ onViolation: 'throw', suppressions: ['use-after-release:readAgain'] });
	const root = track({ port: 1 }, { name: 'Thrown' });
	const ref = root.acquire('reader');
	ref.release();
	function readAgain(): number {
		return ref.value.port;
	}
	expect(readAgain()).toBe(1);
	expect(() => ref.release()).toThrow(/^reftrace: double-release: /);
	configure({ onViolation: 'report' });
	root.release();
});
