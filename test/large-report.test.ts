import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { childEnv, packageRoot } from './helpers.js';

test('the JSON report of 300,000 live references, written in pieces, is complete and valid', () => {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-large-'));
	const file = join(dir, 'report.json');
	const result = spawnSync(process.execPath, ['test/fixtures/many-refs-app.mjs', '300000'], { cwd: packageRoot, env: childEnv({ REFTRACE_REPORT: file }), encoding: 'utf8' });
	expect(result.stderr).toBe('');
	expect(result.status).toBe(0);
	expect(statSync(file).size).toBeGreaterThan(50 * 1024 * 1024);
	const data = JSON.parse(readFileSync(file, 'utf8'));
	expect(data.totals).toEqual({ objects: 100, refs: 300_000 + 100, collected: 0, sites: 1 });
	expect(data.objects).toHaveLength(100);
	expect(data.objects.reduce((sum: number, o: { refs: unknown[] }) => sum + o.refs.length, 0)).toBe(300_100);
	expect(data.sites[0].owners.slice(0, 7).map((o: { owner: string }) => o.owner).sort()).toEqual(['holder-0', 'holder-1', 'holder-2', 'holder-3', 'holder-4', 'holder-5', 'holder-6']);
});
