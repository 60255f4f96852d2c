// Package outbox delivers notifications reliably: a message is written to
// the table outbox_messages in the same transaction as the stage change it
// announces (Enqueue), and senders in the workers deliver it afterwards
// through a notify.Sender (Sender), retrying with backoff until it is sent or
// given up on.
//
// # Why an outbox
//
// Sending from the activity that records a stage change would either send
// for a change that was rolled back, or record a change whose message was
// never sent. Writing both in one transaction makes the message exist
// exactly when the change does. Enqueue is idempotent by the caller's dedup
// key ("<filing_id>/<event>/<revision>/<channel>", see Key), so a retried
// activity queues nothing new.
//
// # Exactly once, and where it is only at least once
//
// A sender claims due rows with a lease: one UPDATE sets locked_until to
// now+LockFor on rows that are pending, due, and not leased (on PostgreSQL
// with FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint rows
// without waiting on each other; on SQLite the database's single writer
// serialises the claims). It then sends each row and records the outcome
// with a status transition that is conditional on the row still being
// pending and still carrying the lease value this sender wrote. A row is
// therefore claimed by one sender at a time, and a sent row is never sent
// again: between senders, delivery is exactly once.
//
// Towards the provider it is at least once, when the provider accepted a
// message that the sender did not record as sent. Either the sender's
// process died (or its database write failed) between the provider's answer
// and the status transition: the row stays leased, and once the lease has
// run out another sender claims it and sends it again, no sooner than
// LockFor after the first claim. Or the provider answered more slowly than
// the send's share of the lease and the sender gave up waiting: the attempt
// counts as failed and is retried after Backoff. Each send of a batch of n
// may take LockFor/(2n), and a send that would end beyond the lease is
// handed back unsent, so a sender at work keeps its rows; should it stall
// anyway (a paused process), the lease check discards its late outcome and
// the message may have gone out twice. A longer LockFor gives each send more
// time (fewer abandoned sends that the provider honoured nonetheless) and
// delays the resend after a crash, at the price of delaying every message a
// dead sender held. Senders compare leases with their own clocks, so keep
// the workers' clocks synchronised (NTP); skew between them eats into the
// lease.
//
// # Failures
//
// A failed send is retried after Backoff (30 s doubling to 1 h, with
// jitter) until MaxAttempts; a permanent failure (the message cannot be
// rendered, the recipient is malformed, or the notify.Sender's error wraps
// notify.ErrPermanent) is marked failed at once. Either way the sender goes
// on with the other messages. Failed lists failed messages for operators
// and Counts counts messages by status.
//
// # Personal data
//
// The recipient is stored, because the message must reach it, and nowhere
// else: logs and Failed show it masked (notify.MaskRecipient), and
// last_error holds an error class and provider code only, never an error's
// text, which may quote the recipient. Dedup keys must not hold personal
// data either; they are shown to operators.
package outbox
