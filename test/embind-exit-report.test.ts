import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { childEnv, packageRoot, siteOf } from './helpers.js';

test('the exit report of a CanvasKit app counts the application site of its leaked Paints, not the adapter', () => {
	const result = spawnSync(process.execPath, ['test/fixtures/canvaskit-app.mjs'], { cwd: packageRoot, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	const site = siteOf(new URL('./fixtures/canvaskit-app.mjs', import.meta.url).href, 'leaked-paint');
	expect(result.stderr).toContain('reftrace: leak report: 20 live refs to 20 objects from 1 site');
	expect(result.stderr).toMatch(new RegExp(`Paint#\\d+ has 1/1 refs at ${site.replaceAll('.', '\\.')}:\\d+ - const paint = new CK\\.Paint\\(\\);`));
	expect(result.stderr).not.toContain('lib/embind');
	expect(result.stderr).toContain('SUMMARY: reftrace: 20 live references to 20 objects from 1 site; 0 violations');
});
