/** Public surface of the profile module: what other modules may import. */
export { ProfileRegistered } from './contracts/events/profile-registered.event.ts';
