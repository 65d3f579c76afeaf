import { expectTypeOf, test } from 'vitest';
import {
	checkLeaks,
	configure,
	type DoubleReleaseError,
	type LeakError,
	type Ref,
	type RefEvent,
	type RefState,
	type Snapshot,
	snapshot,
	track,
	type Violation,
} from '../lib/index.js';

class Conn {
	readonly port = 1;
}

test('the public types say what the values are', async () => {
	configure({ mode: 'off', onViolation: 'throw' });
	const root = track(new Conn(), { onZero: (conn) => expectTypeOf(conn).toEqualTypeOf<Conn>() });
	expectTypeOf(root).toEqualTypeOf<Ref<Conn>>();
	expectTypeOf(root.value).toEqualTypeOf<Conn>();
	expectTypeOf(root.acquire('x')).toEqualTypeOf<Ref<Conn>>();
	expectTypeOf(root.move).returns.toEqualTypeOf<Ref<Conn>>();
	expectTypeOf(root.state).toEqualTypeOf<RefState>();
	expectTypeOf(root.release).returns.toBeVoid();
	expectTypeOf(snapshot()).toEqualTypeOf<Snapshot>();
	expectTypeOf(checkLeaks(() => 42)).resolves.toEqualTypeOf<number>();
	expectTypeOf(checkLeaks(async () => 'x')).resolves.toEqualTypeOf<string>();
	// @ts-expect-error: primitives cannot be tracked
	expectTypeOf(track).toBeCallableWith(42);
	// @ts-expect-error: onZero receives the tracked type
	track(new Conn(), { onZero: (conn: string) => conn });
	const narrow = (error: Violation): RefEvent | null => {
		switch (error.kind) {
			case 'double-release':
				expectTypeOf(error).toEqualTypeOf<DoubleReleaseError>();
				return error.firstRelease;
			case 'leak':
				expectTypeOf(error).toEqualTypeOf<LeakError>();
				return null;
			default:
				return error.culprit;
		}
	};
	configure({ onViolation: narrow });
	configure({ mode: 'full', onViolation: 'report' });
	root.acquire('x').release();
	root.release();
});
