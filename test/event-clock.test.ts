import { expect, test } from 'vitest';
import { configure, snapshot, track } from '../lib/index.js';


test('events of one synchronous run are stamped with the time it began; an event in a later task gets a later time', async () => {
	configure({ mode: 'list', onViolation: 'throw' });
	const root = track({}, { name: 'Stamped' });
	const first = root.acquire('first');
	const busyUntil = performance.now() + 2;
	while (performance.now() < busyUntil) {
		// The same task, two milliseconds later.
	}
	const second = root.acquire('second');
	await new Promise((resolve) => setTimeout(resolve, 15));
	const later = root.acquire('later');
	const refs = snapshot().objects.flatMap((o) => o.refs);
	const ageOf = (owner: string): number => refs.find((r) => r.owner === owner)!.age;
	expect(ageOf('first')).toBe(ageOf('second'));
	expect(ageOf('first') - ageOf('later')).toBeGreaterThanOrEqual(10);
	for (const ref of [first, second, later, root]) ref.release();
});
