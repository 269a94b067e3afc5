import type { MikroORM } from '@mikro-orm/postgresql';
import { assertActsFor, requiresRole } from '../../../../src/platform/auth/route-security.ts';
import type { HttpApp } from '../../../../src/platform/http/app.ts';
import { notificationsFor } from './notifications.query.ts';
import { NotificationList, NotificationsQuery, toNotificationView } from './query-notifications.schema.ts';
import { pageOf, problems } from '../../../../src/platform/http/schemas.ts';


const SUMMARY = 'A person\'s messages, newest first';
// Messages follow events, so a person who just registered may not be known here yet: an unknown
// login is an empty list, not a 404, to avoid telling "no such person" when it means "nothing yet".
const DESCRIPTION = 'Messages stored for the person with this login, newest first (by when the event happened). An unknown login answers 200 with an empty list: this module learns of people through events and does not own profiles. A customer token lists its own login only; another login answers 404.';

export function queryNotificationsRoutes(app: HttpApp, deps: { orm: MikroORM }): void {
  for (const url of ['/notifications', '/notice/notices/']) {
    app.get(url, {
      schema: {
        tags: ['notification'],
        summary: url === '/notifications' ? SUMMARY : `${SUMMARY} — alias of GET /notifications, kept for clients of the original API`,
        description: DESCRIPTION,
        security: requiresRole('customer', 'operator'),
        querystring: NotificationsQuery,
        response: { 200: NotificationList, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => {
      const { login } = request.query;
      assertActsFor(request, login);
      const { limit, offset } = pageOf(request.query);
      const { items, total } = await notificationsFor(deps.orm, login, { limit, offset });
      return { login, items: items.map(toNotificationView), total, limit, offset };
    });
  }
}
