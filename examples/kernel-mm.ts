// The kernel's mm_struct in TypeScript (the threads reftrace was designed from): three nested counts, a
// lookup that may only take a reference while the mm is alive (get_task_mm), fork's "I hold the only
// reference" fast path raced by such a lookup across an await, and a device mapping revoked under its
// users. Three bugs hide in it; reftrace reports each at the line that commits it.
import { track, type Ref, type WeakHandle } from 'reftrace';

class Mm {
	readonly pages = new Map<number, string>([[0, 'text'], [1, 'heap']]);
}

/** mm_users holds one mm_count reference, and mm_count holds one mm_bare_refs reference. */
function mmInit(): Ref<Mm> {
	const mm = new Mm();
	const bare = track(mm, { name: 'mm_bare_refs', owner: 'mm_init', onZero: () => console.log('mm_struct freed') });
	const count = track(mm, { name: 'mm_count', holds: bare, onZero: () => console.log('page directory freed') });
	return track(mm, { name: 'mm_users', owner: 'task', holds: count, onZero: (m) => m.pages.clear() });
}

/** A task keeps a pointer that does not count: lookups go through it. */
class Task {
	constructor(readonly mm: WeakHandle<Mm>) {}
}

/** get_task_mm(): a counted reference, or null when the mm is already on its way out. */
function getTaskMm(task: Task, who: string): Ref<Mm> | null {
	return task.mm.tryAcquire(who); // get_task_mm
}

/** fork()'s fast path: with the only reference, copy in place, yielding while the page tables are copied. */
async function fork(mm: Ref<Mm>): Promise<number> {
	return mm.exclusive(async (m) => { // fork fast path
		await new Promise((resolve) => setTimeout(resolve, 10));
		return m.pages.size;
	});
}

/** /proc/<pid>/cmdline: reads another task's memory. */
async function procPidCmdlineRead(task: Task): Promise<void> {
	const mm = getTaskMm(task, 'proc_pid_cmdline_read');
	if (mm === null) return;
	await Promise.resolve(mm.value.pages.get(0));
	mm.release();
}

const mm = mmInit();
const task = new Task(mm.weak());

// A plain lookup: fine.
const ptrace = getTaskMm(task, 'ptrace_may_access');
ptrace?.release();

// Bug 1: a lookup runs while fork's fast path awaits; fork's bet that it holds the only reference is broken.
const forked = fork(mm);
await procPidCmdlineRead(task);
console.log(`forked with ${await forked} pages`);

// Bug 2: a cache takes a reference and never gives it back (a forgotten mmput): the exit report blames it,
// and shows the mm_count and mm_bare_refs references it keeps, folded under it.
const cache: Ref<Mm>[] = [];
cache.push(mm.acquire('cmdline cache')); // forgotten mmput
mm.release();

// Bug 3: the device behind a mapping is removed; a reader still uses its mapping, and never unmaps it.
const buffer = track({ bytes: new Uint8Array(16) }, { name: 'dma_buf', owner: 'driver' });
const mapping = buffer.acquire('vma');
buffer.revoke('device removed'); // hot unplug
buffer.release();
console.log(`read ${mapping.value.bytes.length} bytes`); // use after the device is gone
console.log('kernel-mm finished');
