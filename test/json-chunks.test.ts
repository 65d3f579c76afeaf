import { expect, test } from 'vitest';
import { configure, renderSnapshot, snapshot, track } from '../lib/index.js';
import { jsonChunks } from '../lib/report/json.js';
import { collectViolations } from './helpers.js';

const joined = (value: unknown, size?: number): string => [...jsonChunks(value, size)].join('');

test('the pieces of a real snapshot join into exactly what JSON.stringify writes', () => {
	collectViolations({ mode: 'full' });
	const roots = [track({}, { name: 'Json' }), track({}, { name: 'Line\nbreak "quoted" \u202e' })];
	const held = roots.flatMap((root, i) => [root.acquire(`owner-${i}`), root.acquire()]);
	held[0]!.release();
	held[0]!.release();
	const data = snapshot();
	expect(data.totals.refs).toBe(5);
	expect(renderSnapshot(data)).toContain('Json#');
	for (const size of [1, 64, 1 << 16]) expect(joined(data, size)).toBe(`${JSON.stringify(data, null, 2)}\n`);
	for (const ref of [...held.slice(1), ...roots]) ref.release();
	configure({ onViolation: 'report' });
});

test('edge values are written as JSON.stringify writes them', () => {
	const value = {
		empty: [],
		emptyObject: {},
		nested: [[], {}, [[1, 'a']], { a: { b: [null, true, -0, 1e21] } }],
		gone: undefined,
		fn: () => 1,
		sparse: [undefined, () => 1, 2],
		long: Array.from({ length: 200 }, (_, i) => i),
		withJson: { toJSON: () => ({ replaced: true }) },
		date: new Date(0),
		text: 'tab\there, unicode \u2028 and "quotes"',
	};
	expect(joined(value, 8)).toBe(`${JSON.stringify(value, null, 2)}\n`);
	expect(joined([], 8)).toBe('[]\n');
	expect(joined('x')).toBe('"x"\n');
});

test('a report of 200,000 references comes in pieces of about 64 KB, never as one string', () => {
	const refs = Array.from({ length: 200_000 }, (_, i) => ({ ref: i, object: `Conn#${i % 100}`, owner: 'request', origin: 'acquire', site: 'app.ts:1:1', stack: 0, age: i / 10, collected: false }));
	const data = { schema: 'reftrace.snapshot/1', objects: [{ object: 'Conn#1', refs }] };
	let total = 0;
	let count = 0;
	let longest = 0;
	for (const chunk of jsonChunks(data)) {
		total += chunk.length;
		count++;
		longest = Math.max(longest, chunk.length);
	}
	expect(total).toBe(JSON.stringify(data, null, 2).length + 1);
	expect(longest).toBeLessThan(2 * 65_536);
	expect(count).toBeGreaterThan(total / (2 * 65_536));
});
