import { defineSettings, integerSetting } from '../../src/platform/settings.ts';

export const OrderSettings = defineSettings<{ waitMs: number }>({
  waitMs: integerSetting('ORDER_WAIT_MS', 5000, 0, 60_000, 'how long `POST /orders` waits for the charge outcome (ms)'),
});
