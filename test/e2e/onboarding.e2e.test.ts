import t from 'tap';
import { eventually } from '../harness/eventually.ts';
import { platformFor, TRANSPORTS } from '../harness/suite.ts';
import { AccountBalanceChanged } from '../../modules/account/index.ts';

interface ProfileBody { id: number; login: string; status: string }
interface AccountBody { accountId: number; login: string; balance: number; reserved: number; available: number; currency: string; status: string }

for (const transport of TRANSPORTS) {
  t.test(`flow 1 · onboarding [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);

    const registered = await app.request({ method: 'POST', url: '/profiles', payload: { login: 'alice', fullName: 'Alice Martin', email: 'alice@example.org' } });
    t.equal(registered.statusCode, 201, 'POST /profiles › 201');
    const profile = registered.json<ProfileBody>();
    t.match(profile, { login: 'alice', status: 'PENDING' }, 'POST /profiles › the new profile is PENDING');

    const active = await eventually(async () => {
      const response = await app.request({ method: 'GET', url: `/profiles/${profile.id}` });
      const body = response.json<ProfileBody>();
      return body.status === 'ACTIVE' ? body : undefined;
    }, { what: 'profile ACTIVE' });
    t.equal(active.status, 'ACTIVE', 'account.created › the profile becomes ACTIVE');

    const account = (await app.request({ method: 'GET', url: '/account?login=alice' })).json<AccountBody>();
    t.match(account, { login: 'alice', balance: 0, reserved: 0, available: 0, currency: 'EUR', status: 'ACTIVE' }, 'profile.registered › an EUR account with balance 0 is opened');
    const alias = await app.request({ method: 'GET', url: '/account/?login=alice' });
    t.same(alias.json(), account, 'GET /account/?login= › the original API\'s alias answers the same');
    t.same((await app.request({ method: 'GET', url: `/accounts/${account.accountId}` })).json(), account, 'GET /accounts/{id} › same account');

    const duplicateLogin = await app.request({ method: 'POST', url: '/profiles', payload: { login: 'alice', fullName: 'Other', email: 'other@example.org' } });
    t.equal(duplicateLogin.statusCode, 409, 'POST /profiles › duplicate login is 409');
    t.equal(duplicateLogin.headers['content-type'], 'application/problem+json; charset=utf-8');
    const duplicateEmail = await app.request({ method: 'POST', url: '/profiles', payload: { login: 'alice2', fullName: 'Other', email: 'ALICE@example.org' } });
    t.equal(duplicateEmail.statusCode, 409, 'POST /profiles › duplicate email (any case) is 409');

    const check = await app.request({ method: 'GET', url: '/profiles/check?login=alice' });
    t.same(check.json(), { id: profile.id }, 'GET /profiles/check › returns the id of the existing profile');
    t.same((await app.request({ method: 'GET', url: '/profiles/check?email=alice@example.org' })).json(), { id: profile.id });
    t.equal((await app.request({ method: 'GET', url: '/profiles/check?login=nobody' })).statusCode, 404, 'GET /profiles/check › unknown is 404');

    const viaAlias = await app.request({ method: 'POST', url: '/person/register', payload: { login: 'bob', fullName: 'Bob', email: 'bob@example.org', currency: 'USD' } });
    t.equal(viaAlias.statusCode, 201, 'POST /person/register › the original API\'s alias registers');
    const bobAccount = await eventually(async () => {
      const response = await app.request({ method: 'GET', url: '/account?login=bob' });
      return response.statusCode === 200 ? response.json<AccountBody>() : undefined;
    }, { what: "bob's account" });
    t.equal(bobAccount.currency, 'USD', "the account takes the profile's currency");

    const list = (await app.request({ method: 'GET', url: '/profiles?limit=1&offset=1' })).json<{ items: ProfileBody[]; total: number }>();
    t.equal(list.total, 2, 'GET /profiles › total counts every profile');
    t.equal(list.items.length, 1, 'GET /profiles › limit pages the list');
    t.equal(list.items[0]?.login, 'bob', 'GET /profiles › oldest first');
  });

  t.test(`flow 2 · top-up and balance [${transport}]`, async (t) => {
    const app = await platformFor(t, transport);
    await app.request({ method: 'POST', url: '/profiles', payload: { login: 'carol', fullName: 'Carol', email: 'carol@example.org' } });
    await eventually(async () => (await app.request({ method: 'GET', url: '/account?login=carol' })).statusCode === 200, { what: 'account' });

    const deposit = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'carol', operation: 'DEPOSIT', sum: 150.75 } });
    t.equal(deposit.statusCode, 200, 'PUT /account/operation › deposit is 200');
    t.match(deposit.json(), { balance: 150.75, available: 150.75 });
    const withdraw = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'carol', operation: 'WITHDRAW', sum: 50.5 } });
    t.match(withdraw.json(), { balance: 100.25 }, 'PUT /account/operation › withdraw lowers the balance exactly');
    const tooMuch = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'carol', operation: 'WITHDRAW', sum: 100.26 } });
    t.equal(tooMuch.statusCode, 422, 'PUT /account/operation › withdrawing more than available is 422');
    t.match(tooMuch.json(), { code: 'insufficient-funds' });
    t.match((await app.request({ method: 'GET', url: '/account?login=carol' })).json(), { balance: 100.25 }, 'the refused withdrawal changed nothing');
    const unknown = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'nobody', operation: 'DEPOSIT', sum: 1 } });
    t.equal(unknown.statusCode, 404, 'PUT /account/operation › unknown login is 404');

    const events = await app.scenario.events(AccountBalanceChanged);
    t.equal(events.length, 2, 'each accepted operation emits account.balance.changed');
    t.match(events[0], { previousBalance: 0, newBalance: 150.75, changeAmount: 150.75, currency: 'EUR', changeReason: 'CREDIT' });
    t.match(events[1], { previousBalance: 150.75, newBalance: 100.25, changeAmount: -50.5, changeReason: 'DEBIT' });
  });
}
