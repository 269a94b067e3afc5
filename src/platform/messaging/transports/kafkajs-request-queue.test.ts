import t from 'tap';
import { mendRequestQueueTimer, requestQueueClass } from './kafkajs-request-queue.ts';

const RequestQueue = requestQueueClass();
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const queue = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'test', broker: 'test:9092', logger });

t.test("a connection's request queue keeps no timer while nothing waits in it", async (t) => {
  mendRequestQueueTimer();
  const idle = queue();
  idle.checkPendingRequests();
  t.equal(idle.throttleCheckTimeoutId, null, 'an empty queue, checked, schedules no re-check (kafkajs would wake every 1 ms)');

  const waiting = queue();
  waiting.pending.push({});
  waiting.throttledUntil = Date.now() + 60_000;
  waiting.scheduleCheckPendingRequests();
  t.not(waiting.throttleCheckTimeoutId, null, 'a queue with a request waiting out a throttle is re-checked');
  clearTimeout(waiting.throttleCheckTimeoutId!);
});
