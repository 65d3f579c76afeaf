import { expect, test } from 'vitest';
import { dump } from '../lib/exit-report.js';
import { configure, type Ref, track } from '../lib/index.js';
import { host } from '../lib/platform/host.js';

test('a dump of 100,000 live references lets the event loop run while it gathers them, and lists every one', async () => {
	configure({ mode: 'list', onViolation: 'throw' });
	const roots = Array.from({ length: 10 }, () => track({}, { name: 'Dumped' }));
	const held: Ref<object>[] = [];
	for (let i = 0; i < 100_000; i++) held.push(roots[i % 10]!.acquire('worker'));
	const writes: string[] = [];
	const write = host().writeError;
	host().writeError = (text) => void writes.push(text);
	const turns: number[] = [];
	let turn = 0;
	const ticker = setInterval(() => turns.push(writes.length, ++turn), 0);
	try {
		await dump();
	} finally {
		clearInterval(ticker);
		host().writeError = write;
	}
	// The timer ran while the dump was being gathered, before anything was printed.
	expect(turns.slice(0, 2)).toEqual([0, 1]);
	expect(writes).toHaveLength(1);
	expect(writes[0]).toMatch(/^reftrace: live references \(SIGUSR2\): 100010 live refs to 10 objects from 1 site\n/);
	for (const ref of [...held, ...roots]) ref.release();
});

test('a second request while a dump is being gathered is served by that dump', async () => {
	configure({ mode: 'list', onViolation: 'throw' });
	const root = track({}, { name: 'Once' });
	const writes: string[] = [];
	const write = host().writeError;
	host().writeError = (text) => void writes.push(text);
	try {
		await Promise.all([dump(), dump()]);
	} finally {
		host().writeError = write;
	}
	expect(writes).toHaveLength(1);
	root.release();
});
