import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FILE = 'examples/kernel-mm.ts';

/** `examples/kernel-mm.ts:LINE:` of the line holding `text`. */
function at(text: string): string {
	const index = readFileSync(`${root}/${FILE}`, 'utf8').split('\n').findIndex((line) => line.includes(text));
	if (index < 0) throw new Error(`${text} not in ${FILE}`);
	return `${FILE}:${index + 1}:`;
}

test('the mm_struct example reports its race, its use after revoke and its leak at its own lines', () => {
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], { cwd: root });
	const result = spawnSync(process.execPath, ['--import', 'reftrace/register', 'examples/.build/kernel-mm.js'], { cwd: root, env: childEnv(), encoding: 'utf8' });
	expect(result.status).toBe(0);
	expect(result.stdout).toBe('forked with 2 pages\nread 16 bytes\nkernel-mm finished\n');
	const lines = result.stderr.split('\n');
	const siteAfter = (title: string) => lines[lines.findIndex((line) => line.startsWith(`  ${title}`)) + 1]?.trim() ?? '';

	expect(lines).toContain('reftrace: acquire-during-exclusive: tryAcquire of mm_users#1 during the exclusive section of ref #5 (owner task), from another task while the section ran');
	expect(siteAfter('tryAcquire called here')).toContain(at('// get_task_mm'));
	expect(siteAfter('exclusive section entered (ref #5 held by task')).toContain(at('// fork fast path'));

	expect(lines).toContain("reftrace: use-after-revoke: .value of ref #9 of dma_buf#1 after dma_buf#1 was revoked for 'device removed'");
	expect(siteAfter('.value read here (ref #9 held by vma')).toContain(at('// use after the device is gone'));
	expect(siteAfter("revoked for 'device removed' (ref #8 held by driver")).toContain(at('// hot unplug'));
	expect(siteAfter('acquired (ref #9 held by vma')).toContain(at("const mapping = buffer.acquire('vma')"));

	const report = lines.slice(lines.findIndex((line) => line.startsWith('reftrace: leak report:')));
	expect(report[0]).toBe('reftrace: leak report: 2 live refs to 2 objects from 2 sites (2 more held by nested counts, shown under them)');
	expect(report[1]).toContain(`  mm_users#1 has 1/1 refs at ${at('// forgotten mmput')}`);
	expect(report).toContain('    mm_users#1 holds ref #4 of mm_count#1 (count 1), which holds ref #2 of mm_bare_refs#1 (count 1)');
	expect(report.filter((line) => /^ {2}mm_(count|bare_refs)#/.test(line))).toEqual([]);
	expect(report).toContain(`  dma_buf#1 revoked at ${at('// hot unplug')}8 for 'device removed'; 1 reference still held: ref #9 held by vma`);
	expect(report.at(-2)).toBe('SUMMARY: reftrace: 2 live references to 2 objects from 2 sites (2 more held by nested counts, shown under them); 2 violations');
});
