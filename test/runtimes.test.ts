import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from './helpers.js';
import { binary, normalize, run } from './runtime-helpers.js';

// The README's quick start and the demo, run on Node, Deno and Bun from the same compiled examples.
const deno = binary('deno');
const bun = binary('bun');
// Bun keeps every frame only with tail calls off (documented in the README).
const BUN_FRAMES = { BUN_JSC_useTailCalls: '0' };

beforeAll(() => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: packageRoot });
});

function lineOf(file: string, text: string): string {
	const index = readFileSync(`${packageRoot}/${file}`, 'utf8').split('\n').findIndex((line) => line.includes(text));
	if (index < 0) throw new Error(`${text} not in ${file}`);
	return `${file}:${index + 1}:`;
}

const onNode = (args: string[]) => run(process.execPath, args, packageRoot);
const quickStart = 'examples/.build/quick-start.js';
const demo = 'examples/.build/demo/main.js';

/**
 * What Bun cannot show, documented as its limits: JavaScriptCore gives call sites no type names
 * (`checkout`, not `ConnectionPool.checkout`) and keeps no frames of awaiting callers (`at async …`).
 */
const withoutBunLimits = (report: string): string =>
	report
		.split('\n')
		.filter((line) => !line.trimStart().startsWith('at async '))
		.map((line) => line.replace(/^(\s+at )[A-Za-z_$][\w$]*\.(?=[\w$]+ \()/, '$1'))
		// A signature names the same frames, so it differs the same way (and so does its hash).
		.map((line) => line.replace(/(signature: )[0-9a-f]{8}\t(.*)$/, (_, head: string, fields: string) => head + fields.split('\t').filter((field) => !field.startsWith('async ')).map((field) => field.replace(/^[A-Za-z_$][\w$]*\.(?=[\w$]+ )/, '')).join('\t')))
		.join('\n');

describe.skipIf(deno.missing !== null)(`Deno${deno.missing === null ? '' : ` (skipped: ${deno.missing})`}`, () => {
	const onDeno = (args: string[], extra: Record<string, string> = {}) => run(deno.path!, args, packageRoot, extra);

	test('the quick start prints the same report as on Node, with sites and source lines', () => {
		const node = onNode([quickStart]);
		const result = onDeno(['run', '-A', quickStart]);
		expect(result.status).toBe(0);
		expect(result.stderr).toContain(`at handler (${lineOf('examples/quick-start.ts', 'ref.release(); // reported here')}`);
		expect(normalize(result.stderr)).toBe(normalize(node.stderr));
	});

	test('the demo prints the same reports as on Node (positions mapped once, through the preload by file path)', () => {
		const node = onNode(['--expose-gc', '--import', 'reftrace/register', demo]);
		const result = onDeno(['run', '-A', '--v8-flags=--expose-gc', '--preload', './dist/register.js', demo]);
		expect(result.status).toBe(0);
		expect(result.stderr).toContain(`at handleRequest (${lineOf('examples/demo/main.ts', 'bug: runs on the early path too')}`);
		expect(result.stderr).toMatch(/garbage-collected while live/);
		expect(normalize(result.stderr)).toBe(normalize(node.stderr));
	});

	test('without --allow-env it does not crash, says once what that costs, and still reports with sites', () => {
		const result = onDeno(['run', '--allow-read', quickStart]);
		expect(result.status).toBe(0);
		expect(result.stderr.match(/REFTRACE_PERMISSION/g)).toHaveLength(1);
		expect(result.stderr).toContain('reftrace cannot read environment variables (Deno: run with --allow-env)');
		expect(result.stderr).toContain(`at handler (${lineOf('examples/quick-start.ts', 'ref.release(); // reported here')}`);
	});

	test('without --allow-read it says once that source lines are lost, and still names the sites', () => {
		const result = onDeno(['run', '--allow-env', quickStart]);
		expect(result.status).toBe(0);
		expect(result.stderr.match(/REFTRACE_PERMISSION/g)).toHaveLength(1);
		expect(result.stderr).toContain('reftrace cannot read source files (Deno: run with --allow-read)');
		expect(result.stderr).toContain(`    ${lineOf('examples/quick-start.ts', 'ref.release(); // reported here')}7\n`);
	});

	test('an uncaught exception still gets the exit report, without Deno-internal ext: frames', () => {
		const result = onDeno(['run', '-A', 'test/fixtures/runtimes/throws.mjs']);
		expect(result.status).toBe(1);
		expect(result.stderr).toContain('Error: crash after the leak');
		expect(result.stderr).toMatch(/^SUMMARY: reftrace: 2 live references to 1 object from 2 sites; 0 violations$/m);
		expect(result.stderr).toContain(`at open (${lineOf('test/fixtures/runtimes/throws.mjs', '// @kept')}`);
		expect(result.stderr.slice(0, result.stderr.indexOf('SUMMARY'))).not.toContain('ext:');
	});
});

describe.skipIf(bun.missing !== null)(`Bun${bun.missing === null ? '' : ` (skipped: ${bun.missing})`}`, () => {
	const onBun = (args: string[], extra: Record<string, string> = {}) => run(bun.path!, args, packageRoot, extra);

	test('the quick start prints the same report as on Node', () => {
		const node = onNode([quickStart]);
		const result = onBun([quickStart], BUN_FRAMES);
		expect(result.status).toBe(0);
		expect(normalize(result.stderr)).toBe(normalize(node.stderr));
	});

	test('the demo prints the same reports as on Node, apart from what JavaScriptCore does not record', () => {
		const node = onNode(['--expose-gc', '--import', 'reftrace/register', demo]);
		const result = onBun(['--expose-gc', '--preload', 'reftrace/register', demo], BUN_FRAMES);
		expect(result.status).toBe(0);
		expect(result.stderr).toContain(`at checkout (${lineOf('examples/demo/pool.ts', 'return root.acquire(owner)')}`);
		expect(result.stderr).toMatch(/garbage-collected while live/);
		expect(result.stderr).not.toMatch(/at {2}\(|owners: ;|undefined\./);
		expect(withoutBunLimits(normalize(result.stderr))).toBe(withoutBunLimits(normalize(node.stderr)));
	});

	test('with tail calls on, the lost frames are warned about once at load, naming BUN_JSC_useTailCalls=0', () => {
		const result = onBun(['--preload', 'reftrace/register', demo]);
		expect(result.status).toBe(0);
		expect(result.stderr.match(/REFTRACE_TAIL_CALLS/g)).toHaveLength(1);
		expect(result.stderr).toContain('run with BUN_JSC_useTailCalls=0 to keep every frame');
		expect(onBun(['--preload', 'reftrace/register', demo], BUN_FRAMES).stderr).not.toContain('REFTRACE_TAIL_CALLS');
	});
});

test('when stack capture throws, the warning names what threw and a collected leak does not claim list mode', () => {
	const result = onNode(['--expose-gc', 'test/fixtures/runtimes/broken-capture.mjs']);
	expect(result.status).toBe(0);
	expect(result.stderr).toContain('reftrace cannot capture stacks here (capturing threw TypeError: captureStackTrace is not supported here)');
	expect(result.stderr).toContain('    no stack: this runtime could not capture one (see the REFTRACE_NO_STACKS warning)');
	expect(result.stderr).not.toMatch(/no stack recorded \(list mode\)|list mode keeps no stacks/);
	expect(result.stderr).not.toContain('prepareStackTrace');
});
