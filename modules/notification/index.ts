/**
 * Public surface of the notification module. It publishes no events and offers no query API to
 * other modules; people read their messages over HTTP (GET /notifications?login=).
 */
export { NOTIFICATION_KINDS } from './domain/notification.ts';
export type { NotificationKind } from './domain/notification.ts';
