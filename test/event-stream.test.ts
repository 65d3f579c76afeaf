import { expect, test } from 'vitest';
import { configure, DoubleReleaseError, track } from '../lib/index.js';
import { observe, type Entry } from '../lib/record.js';
import { collectViolations } from './helpers.js';

/** Records every event as a line of plain data: what happened, to which ref, held by whom. */
function recordEvents(): { lines: string[]; stop: () => void } {
	const lines: string[] = [];
	const text = (entry: Entry) => `#${entry.id - base} ${entry.owner ?? '-'}`;
	let base = 0;
	const stop = observe({
		begin: (entry, token) => {
			if (entry.origin === 'track') base = entry.id - 1;
			lines.push(`begin ${entry.origin} ${text(entry)}${typeof token === 'object' ? '' : ' (no token)'}`);
		},
		end: (entry) => lines.push(`end ${entry.end?.how} ${text(entry)}${entry.end?.successor ? ` → #${entry.end.successor.id - base}` : ''}`),
		zero: (record) => lines.push(`zero ${record.name} count ${record.count}`),
		violation: (error) => lines.push(`violation ${error.kind}`),
	});
	return { lines, stop };
}

test('observers receive every track, acquire, move, release, end of life and violation as it happens', () => {
	for (const mode of ['list', 'full'] as const) {
		const seen = collectViolations({ mode });
		const { lines, stop } = recordEvents();
		// A second observer at the same time: both see everything.
		const second = recordEvents();
		const root = track({}, { name: 'Stream', owner: 'creator' });
		const reader = root.acquire('reader');
		const queued = reader.move('queue');
		queued.release();
		queued.release();
		root.release();
		stop();
		second.stop();
		expect(lines, mode).toEqual([
			'begin track #1 creator',
			'begin acquire #2 reader',
			'begin move #3 queue',
			'end moved #2 reader → #3',
			'end released #3 queue',
			'violation double-release',
			'end released #1 creator',
			'zero Stream count 0',
		]);
		expect(second.lines).toEqual(lines);
		expect(seen.map((error) => error.constructor)).toEqual([DoubleReleaseError]);
	}
});

test('an observer that stops hears nothing more, and off mode records nothing to observe', () => {
	collectViolations({ mode: 'full' });
	const { lines, stop } = recordEvents();
	stop();
	track({}, { name: 'Quiet' }).release();
	expect(lines).toEqual([]);
	configure({ mode: 'off' });
	const { lines: offLines, stop: stopOff } = recordEvents();
	const root = track({}, { name: 'Off' });
	root.acquire('x').release();
	root.release();
	stopOff();
	expect(offLines).toEqual([]);
});
