import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { packageRoot } from './helpers.js';
import { binary, run, userProject } from './runtime-helpers.js';

/*
 * Each test runner, run for real on a scratch project whose fixture has a clean test, a leaking test, a
 * test that fails and leaks, and (where the helper has `allowLeaks`) a test allowed to leak. vitest's own
 * case is test/vitest-integration.test.ts.
 */

const deno = binary('deno');
const bun = binary('bun');
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

/** `file:line:` of the line marked `// @leak-site` in a runner's fixture, as reports print it. */
function leakSite(runner: string, file: string): string {
	const lines = readFileSync(join(packageRoot, 'test', 'fixtures', 'runners', runner, file), 'utf8').split('\n');
	return `${file}:${lines.findIndex((line) => line.includes('// @leak-site')) + 1}:`;
}

const LEAKY = /reftrace: leak: (?:test "leaky test"|leak window|this test) left 1 reference live, from 1 site/;

// --test-isolation exists from Node 22.8 on; before, every file runs in its own process.
const ISOLATIONS: [name: string, args: string[]][] = [
	['with the default isolation', []],
	...(major > 22 || (major === 22 && minor >= 8) ? [['with --test-isolation=none', ['--test-isolation=none']] as [string, string[]]] : []),
];

test.each(ISOLATIONS)('node --test --import reftrace/node-test %s fails the leaking test naming its site, and only it', (_name, extra) => {
	const project = userProject('runners/node-test');
	const result = run(process.execPath, ['--test', '--test-reporter=tap', ...extra, '--import', 'reftrace/node-test', 'leaky.test.mjs'], project);
	const output = result.stdout + result.stderr;
	expect(result.status).toBe(1);
	expect(output).toMatch(/^ok \d+ - clean test$/m);
	expect(output).toMatch(/^not ok \d+ - leaky test$/m);
	expect(output).toMatch(/^ok \d+ - test that allows its leaks$/m);
	expect(output).toMatch(/^not ok \d+ - failing test that also leaks$/m);
	expect(output).toContain('reftrace: leak: test "leaky test" left 1 reference live, from 1 site');
	expect(output).toContain(`Leaky#1 has 1/1 refs at ${leakSite('node-test', 'leaky.test.mjs')}`);
	expect(output).not.toContain('test "failing test that also leaks" left');
	expect(output).toMatch(/^# pass 2$/m);
});

/*
 * ESM tests need vm modules. CommonJS tests load reftrace's CommonJS build on every Node, with or without the
 * flag; with it on Node 24.9+, Jest resolves `module-sync` and they load the ES build through require(esm).
 */
const JEST_MODES: [mode: string, fixture: string, packageJson: object, flags: string[]][] = [
	['ESM mode', 'jest', { type: 'module' }, ['--experimental-vm-modules']],
	['CJS mode', 'jest-cjs', { type: 'commonjs' }, []],
	['CJS mode with --experimental-vm-modules', 'jest-cjs', { type: 'commonjs' }, ['--experimental-vm-modules']],
];

test.each(JEST_MODES)('jest with setupFilesAfterEnv reftrace/jest (%s) fails the leaking test naming its site, and only it', (_mode, fixture, packageJson, flags) => {
	const project = userProject(`runners/${fixture}`, packageJson);
	const jest = join(packageRoot, 'node_modules', 'jest', 'bin', 'jest.js');
	// An unknown variable: its warning is said once per test file, also where both builds' checks load.
	const result = run(process.execPath, [...flags, jest, '-c', 'jest.config.json'], project, { REFTRACE_UNKNOWN: '1' });
	const output = result.stdout + result.stderr;
	expect(result.status).toBe(1);
	expect(output.match(/ignored unknown variable REFTRACE_UNKNOWN/g)).toHaveLength(1);
	expect(output).toMatch(/✓ clean test/);
	expect(output).toMatch(/✕ leaky test/);
	expect(output).toMatch(/✕ failing test that also leaks/);
	expect(output).toMatch(/✓ test that allows its leaks/);
	expect(output).toContain('LeakError: reftrace: leak: test "leaky test" left 1 reference live, from 1 site');
	expect(output).toContain(`Leaky#1 has 1/1 refs at ${leakSite(fixture, 'leaky.test.js')}`);
	expect(output).not.toContain('test "failing test that also leaks" left');
	expect(output).toMatch(/Tests: +2 failed, 2 passed, 4 total/);
});

describe.skipIf(bun.missing !== null)(`bun test${bun.missing === null ? '' : ` (skipped: ${bun.missing})`}`, () => {
	test('bun test --preload reftrace/vitest fails the leaking test naming its site, and passes the clean ones', () => {
		const project = userProject('runners/bun');
		const result = run(bun.path!, ['test', '--preload', 'reftrace/vitest'], project, { BUN_JSC_useTailCalls: '0' });
		const output = result.stdout + result.stderr;
		expect(result.status).toBe(1);
		expect(output).toMatch(/\(pass\) clean test/);
		expect(output).toMatch(/\(fail\) leaky test/);
		expect(output).toMatch(/\(pass\) test that allows its leaks/);
		expect(output).toMatch(/\(fail\) failing test that also leaks/);
		expect(output).toMatch(LEAKY);
		expect(output).toContain(`Leaky#1 has 1/1 refs at ${leakSite('bun', 'leaky.test.js')}`);
		expect(output).toMatch(/^ 2 pass$/m);
	});
});

describe.skipIf(deno.missing !== null)(`Deno.test${deno.missing === null ? '' : ` (skipped: ${deno.missing})`}`, () => {
	test("deno test with the README's preload recipe fails the leaking test naming its site, and only it", () => {
		const project = userProject('runners/deno');
		// --no-check: the fixture is JavaScript, and Deno type-checks a linked package (not under node_modules) as local files.
		const result = run(deno.path!, ['test', '-A', '--no-check', '--preload', './leak-check.js', 'leaky.test.js'], project);
		const output = result.stdout + result.stderr;
		expect(result.status).toBe(1);
		expect(output).toMatch(/^clean test \.\.\. ok/m);
		expect(output).toMatch(/^leaky test \.\.\. FAILED/m);
		expect(output).toMatch(/^failing test that also leaks \.\.\. FAILED/m);
		expect(output).toMatch(LEAKY);
		expect(output).toContain(`Leaky#1 has 1/1 refs at ${leakSite('deno', 'leaky.test.js')}`);
		expect(output).not.toContain('AlsoLeaky');
		expect(output).toMatch(/FAILED \| 1 passed \| 2 failed/);
	});
});

test("the README's Deno.test recipe is the fixture's leak-check.js", () => {
	const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
	const recipe = readFileSync(join(packageRoot, 'test', 'fixtures', 'runners', 'deno', 'leak-check.js'), 'utf8').replace(/^\/\/.*\n/, '');
	expect(readme).toContain(`\`\`\`js\n${recipe}\`\`\``);
});
