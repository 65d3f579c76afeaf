import { checkLeaks, configure, type Ref, track } from 'reftrace';
import { median, type Row } from '../harness.js';

export const CHECK_LEAKS_SCENARIO = 'checkLeaks of a scope taking 10 references';
export const NONE_ELSEWHERE = 'nothing live elsewhere';
export const MANY_ELSEWHERE = '100,000 refs live elsewhere';
const ELSEWHERE = 100_000;

async function checkedScope(own: Ref<object>): Promise<void> {
	await checkLeaks(() => {
		const refs: Ref<object>[] = [];
		for (let r = 0; r < 10; r++) refs.push(own.acquire('scope'));
		for (const ref of refs) ref.release();
	});
}

/** Median nanoseconds per checked scope over `ms` milliseconds of them. */
async function time(own: Ref<object>, ms: number): Promise<number> {
	const samples: number[] = [];
	const end = performance.now() + ms;
	while (performance.now() < end) {
		const start = performance.now();
		for (let i = 0; i < 10; i++) await checkedScope(own);
		samples.push(((performance.now() - start) * 1e6) / 10);
	}
	return median(samples);
}

/**
 * What a test's leak check costs should follow what the test did, not what else is live in the process:
 * one checked scope taking and giving back 10 references, timed alone and while 100,000 references taken
 * outside it are live (taken before and given back after that variant's turn, so the other one runs
 * without them); the two alternate in each round.
 */
export async function measureCheckLeaks(rounds: number, ms: number): Promise<Row[]> {
	configure({ mode: 'list', exitReport: false, onViolation: 'throw' });
	const own = track({}, { name: 'Checked' });
	const roots = Array.from({ length: 100 }, (_, i) => track({ i }, { name: 'Bystander' }));
	const alone: number[] = [];
	const beside: number[] = [];
	for (let round = 0; round < rounds; round++) {
		for (const many of round % 2 === 0 ? [false, true] : [true, false]) {
			const held = many ? Array.from({ length: ELSEWHERE }, (_, i) => roots[i % roots.length]!.acquire('bystander')) : [];
			(many ? beside : alone).push(await time(own, ms));
			for (const ref of held) ref.release();
		}
	}
	for (const root of roots) root.release();
	own.release();
	return [
		{ scenario: CHECK_LEAKS_SCENARIO, variant: NONE_ELSEWHERE, nsPerOp: median(alone), ratio: null, samples: alone },
		{ scenario: CHECK_LEAKS_SCENARIO, variant: MANY_ELSEWHERE, nsPerOp: median(beside), ratio: null, samples: beside },
	];
}
