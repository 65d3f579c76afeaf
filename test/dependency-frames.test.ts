import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { track, type DoubleReleaseError, type Ref } from '../lib/index.js';
import { childEnv, collectViolations } from './helpers.js';

// A dependency that calls back through seven frames of its own, as an assertion library does.
const dir = mkdtempSync(join(tmpdir(), 'reftrace-deps-'));
const file = join(dir, 'node_modules', 'chain', 'index.cjs');
mkdirSync(join(dir, 'node_modules', 'chain'), { recursive: true });
const levels = Array.from({ length: 7 }, (_, i) => `function level${i + 1}(cb) { return ${i === 0 ? 'cb()' : `level${i}(cb)`}; }`);
writeFileSync(file, [...levels, 'module.exports = level7;', ''].join('\n'));
const chain = createRequire(import.meta.url)(file) as <T>(cb: () => T) => T;

function appCaller(): Ref<object> {
	return chain(() => track({}, { name: 'Deep' }));
}

test('a run of dependency frames between application frames is printed as one line', () => {
	const seen = collectViolations({ stackDepth: 10 });
	const ref = appCaller();
	ref.release();
	ref.release();
	const taken = (seen[0] as DoubleReleaseError).earlier.at(-1)!.event;
	expect(taken.stack.filter((line) => line.includes('level'))).toEqual([]);
	expect(taken.stack[1]).toBe('… 7 frames in dependencies');
	expect(taken.stack[2]).toMatch(/^appCaller \(/);
});

/** A package in `root`'s node_modules that calls back through `length` frames of its own. */
function dependency(root: string, name: string, length: number): void {
	mkdirSync(join(root, 'node_modules', name), { recursive: true });
	const levels = Array.from({ length }, (_, i) => `function ${name}${i + 1}(cb) { return ${i === 0 ? 'cb()' : `${name}${i}(cb)`}; }`);
	writeFileSync(join(root, 'node_modules', name, 'index.js'), [...levels, `module.exports = ${name}${length};`, ''].join('\n'));
}

test('runs of dependency frames do not use up stackDepth: from the first stack on, the application frames below them are kept', () => {
	// In a fresh process, so that nothing has been learned yet: a short run above a long one.
	const root = mkdtempSync(join(tmpdir(), 'reftrace-runs-'));
	dependency(root, 'shortdep', 2);
	dependency(root, 'longdep', 21);
	const fixture = fileURLToPath(new URL('./fixtures/dependency-runs.mjs', import.meta.url));
	const child = spawnSync(process.execPath, [fixture, root], { env: childEnv({ REFTRACE_EXIT_REPORT: '0' }), encoding: 'utf8' });
	const stacks = JSON.parse(child.stdout) as string[][];
	const expected = ['a0', '… 2 frames in dependencies', 'a1', '… 21 frames in dependencies', 'a2', 'a3'];
	expect(stacks.map((stack) => stack.map((line) => line.split(' (')[0]))).toEqual([expected, expected]);
});

test('callers V8 lists after a run of the runtime\'s own frames (an await resumed from the event loop) are kept, not cut by that run', () => {
	// In a fresh process: nothing learned yet. Deno resumes awaits below three of its own frames under load.
	const fixture = fileURLToPath(new URL('./fixtures/hidden-run.mjs', import.meta.url));
	const { stderr } = spawnSync(process.execPath, [fixture], { env: childEnv(), encoding: 'utf8' });
	const first = stderr.slice(stderr.indexOf('  first released'), stderr.indexOf('  acquired'));
	const line = (marker: string) => readFileSync(fixture, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
	expect(first.split('\n').filter((l) => l.startsWith('      at '))).toEqual([
		`      at work (test/fixtures/hidden-run.mjs:${line('// @first')}:6)`,
		`      at async caller (test/fixtures/hidden-run.mjs:${line('// @caller')}:2)`,
	]);
});
