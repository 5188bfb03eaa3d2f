import { test, expect, Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { hydrated, login, loggedIn } from './helpers';

/** The code an authenticator app shows (RFC 6238: SHA-1, 6 digits, 30 s). */
function totp(base32: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/\s+/g, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return ((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

async function codePage(page: Page) {
  await expect(page).toHaveURL(/\/login\/code$/);
  await hydrated(page);
}

// An account no other browser test uses: once enrolled it needs its code.
test('a user enrols an authenticator app and then logs in with its code', async ({ page }) => {
  test.skip(test.info().project.name === 'phone', 'one enrolment per account; the phone width is looked at in screenshots');
  await loggedIn(page, 'sg_pyjs');
  await page.goto('/account/two-factor');
  await hydrated(page, 'TwoFactorPage');
  await expect(page.locator('.qr svg')).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').innerText()).trim();
  await page.getByLabel('验证码').fill('000000');
  await page.getByRole('button', { name: '完成绑定' }).click();
  await expect(page.locator('#f-code-err')).toContainText('验证码不正确');
  await page.getByLabel('验证码').fill(totp(secret));
  await page.getByRole('button', { name: '完成绑定' }).click();
  const codes = page.locator('#recovery-codes li');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().innerText()).trim();

  // Next login: the password, then the code (of the next time step: the
  // one just used is spent).
  await page.context().clearCookies();
  await login(page, 'sg_pyjs');
  await codePage(page);
  await page.getByLabel('验证码').fill('123');
  await page.getByRole('button', { name: '验 证' }).click();
  await expect(page.locator('#f-code-err')).toContainText('验证码不正确');
  await page.getByLabel('验证码').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: '验 证' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/account/two-factor');
  await expect(page.locator('#two-factor')).toContainText('已启用');

  // A recovery code instead of the phone.
  await page.context().clearCookies();
  await login(page, 'sg_pyjs');
  await codePage(page);
  await page.getByLabel('验证码').fill(recovery);
  await page.getByRole('button', { name: '验 证' }).click();
  await expect(page).toHaveURL(/\/$/);
});
