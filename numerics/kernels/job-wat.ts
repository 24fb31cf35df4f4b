/**
 * Job records shared by the kernel threads (`threads.ts`): a product or a row-wise pass is posted as a record
 * in kernel memory, cut into chunks, and every thread claims chunks until none are left. Every record starts
 * with the same three words; the claiming is one WebAssembly loop, generated here for each kind of job.
 *
 * `next` is a ticket: the job's sequence number in the high bits, the next unclaimed chunk in the low
 * TICKET_BITS. A claim is a compare-and-swap of the whole ticket, so a thread that read the ticket of an
 * earlier job (it woke late) fails its claim instead of working on a record being rewritten.
 */
export const JOB_HEAD = { next: 0, done: 1, chunks: 2 } as const;
export const TICKET_BITS = 12;

/**
 * `(func (export name) (param $job i32) (param $work i32) (result i32))`: claim chunks of the job at `$job`
 * and run `(call $chunkFunction job chunk work)` on each until none are left; count finished chunks in
 * `done` (waking the poster on the last) and return how many this thread did.
 */
export function claimLoop(name: string, chunkFunction: string): string {
  const at = (word: number): string => `offset=${word * 4} (local.get $job)`;
  return `
(func (export "${name}") (param $job i32) (param $work i32) (result i32) (local $ticket i32) (local $chunk i32) (local $chunks i32) (local $count i32)
  (loop $claim
    (local.set $ticket (i32.atomic.load ${at(JOB_HEAD.next)}))
    (local.set $chunk (i32.and (local.get $ticket) (i32.const ${(1 << TICKET_BITS) - 1})))
    (local.set $chunks (i32.load ${at(JOB_HEAD.chunks)}))
    (if (i32.ge_u (local.get $chunk) (local.get $chunks)) (then (return (local.get $count))))
    (br_if $claim (i32.ne (i32.atomic.rmw.cmpxchg ${at(JOB_HEAD.next)} (local.get $ticket) (i32.add (local.get $ticket) (i32.const 1))) (local.get $ticket)))
    (call $${chunkFunction} (local.get $job) (local.get $chunk) (local.get $work))
    (local.set $count (i32.add (local.get $count) (i32.const 1)))
    (if (i32.eq (i32.atomic.rmw.add ${at(JOB_HEAD.done)} (i32.const 1)) (i32.sub (local.get $chunks) (i32.const 1)))
      (then (drop (memory.atomic.notify ${at(JOB_HEAD.done)} (i32.const 1)))))
    (br $claim))
  (unreachable))`;
}
