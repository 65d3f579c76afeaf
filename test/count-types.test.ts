import { expectTypeOf, test } from 'vitest';
import { configure, type Ref, type RefState, track, type Violation, type WeakHandle } from '../lib/index.js';

class Buf {
	readonly size = 4;
}

test('the count semantics have the types they say', async () => {
	configure({ mode: 'off', onViolation: 'throw' });
	const parent = track({ pool: true });
	const root = track(new Buf(), { holds: parent, onZero: (buf) => expectTypeOf(buf).toEqualTypeOf<Buf>() });
	expectTypeOf(root.weak()).toEqualTypeOf<WeakHandle<Buf>>();
	expectTypeOf(root.weak().tryAcquire).returns.toEqualTypeOf<Ref<Buf> | null>();
	expectTypeOf(root.unique).toEqualTypeOf<boolean>();
	expectTypeOf(root.exclusive((buf) => buf.size)).toEqualTypeOf<number>();
	expectTypeOf(root.exclusive(async (buf) => buf.size)).toEqualTypeOf<Promise<number>>();
	await root.exclusive(async () => undefined);
	expectTypeOf(root.revoke).parameters.toEqualTypeOf<[reason?: string]>();
	expectTypeOf<'revoked'>().toMatchTypeOf<RefState>();
	const describe = (error: Violation): string => {
		switch (error.kind) {
			case 'use-after-revoke':
				return `${error.reason} ${error.acquire?.site}`;
			case 'acquire-after-revoke':
				return `${error.revoke?.site}`;
			case 'exclusive-not-unique':
				return `${error.others.length}`;
			case 'acquire-during-exclusive':
				return `${error.section?.owner} ${error.fromOtherTask}`;
			default:
				return error.kind;
		}
	};
	expectTypeOf(describe).returns.toEqualTypeOf<string>();
	root.release();
	configure({ onViolation: 'report' });
});
