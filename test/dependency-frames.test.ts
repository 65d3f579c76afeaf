import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { track, type DoubleReleaseError, type Ref } from '../lib/index.js';
import { collectViolations } from './helpers.js';

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

function appOuter(): Ref<object> {
	return appCaller();
}

test('a run of dependency frames does not use up stackDepth: the application frames below it are kept', () => {
	const seen = collectViolations({ stackDepth: 3 });
	// The first stack through the dependency teaches reftrace to capture past it; every later one is whole.
	for (let i = 0; i < 2; i++) {
		const ref = appOuter();
		ref.release();
		ref.release();
		const taken = (seen[i] as DoubleReleaseError).earlier.at(-1)!.event;
		const app = taken.stack.filter((line) => !line.startsWith('…'));
		expect(app.map((line) => line.split(' (')[0]!.replace(/:\d+:\d+$/, '')), `capture ${i}`).toEqual(['test/dependency-frames.test.ts', 'appCaller', 'appOuter']);
		expect(taken.stack[1]).toBe('… 7 frames in dependencies');
	}
});
