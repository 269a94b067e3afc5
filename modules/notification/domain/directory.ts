/** A person as profile.registered announced them: the only place a login meets a userId. */
export class PersonEntry {
  userId!: number;
  login!: string;

  static of(userId: number, login: string): PersonEntry {
    const entry = new PersonEntry();
    entry.userId = userId;
    entry.login = login;
    return entry;
  }
}

/** An account and its owner, from any account event that names both. */
export class AccountEntry {
  accountId!: number;
  userId!: number;

  static of(accountId: number, userId: number): AccountEntry {
    const entry = new AccountEntry();
    entry.accountId = accountId;
    entry.userId = userId;
    return entry;
  }
}
