import { Page, expect } from '@playwright/test';

export const PASSWORD = 'Pingyang@2026';

/** Waits until the wasm has hydrated the page (clicks before that are lost).
 * Pages other than login and home are lazy chunks: pass their component name. */
export async function hydrated(page: Page, component?: string) {
  const sel = component ? `body[data-page="${component}"]` : 'body[data-hydrated="true"]';
  await page.waitForSelector(sel, { timeout: 20_000 });
}

export async function login(page: Page, username: string, password = PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('用户名或手机号').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登 录' }).click();
}

export async function loggedIn(page: Page, username: string) {
  await login(page, username);
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
}

/** A valid unified social credit code (GB 32100) with a random body. */
export function creditCode(): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let body = '91330326MA2';
  while (body.length < 17) body += chars[Math.floor(Math.random() * 31)];
  const sum = [...body].reduce((s, c, i) => s + chars.indexOf(c) * weights[i], 0);
  return body + chars[(31 - (sum % 31)) % 31];
}

/** A valid resident ID number (GB 11643) for a 17-digit body. */
export function idNumber(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}
