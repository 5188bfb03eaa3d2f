import { test, expect } from '@playwright/test';
import { PASSWORD, hydrated, login, loggedIn } from './helpers';

test('an administrator logs in and sees the shell', async ({ page }) => {
  await loggedIn(page, 'admin');
  await expect(page.locator('.who-name')).toHaveText('陈建华');
  await expect(page.getByRole('heading', { name: '您好，陈建华' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: '主导航' });
  if (test.info().project.name === 'phone') {
    // The navigation is folded away on a phone until the menu is opened.
    await expect(nav).toBeHidden();
    await page.getByLabel('菜单').click();
  }
  await expect(nav.getByRole('link', { name: '单位管理' })).toBeVisible();
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('an owner sees only what their role may use, and 403/404 pages', async ({ page }) => {
  await loggedIn(page, 'jiaoyu');
  await expect(page.locator('.sidenav')).not.toContainText('单位管理');
  const forbidden = await page.goto('/admin/users');
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByText('您无权访问此页面')).toBeVisible();
  const missing = await page.goto('/no-such-page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByText('页面不存在')).toBeVisible();
});

test('a wrong password gets one plain message and the account locks here after five', async ({ page }) => {
  // Each project locks its own account (they share one server).
  const user = test.info().project.name === 'phone' ? 'zjj' : 'jtj';
  for (let i = 0; i < 5; i++) {
    await login(page, user, 'Wrong@2026x');
    await expect(page.getByRole('alert')).toContainText('用户名或密码错误');
    await expect(page.getByRole('alert')).toContainText('连续输错 5 次');
  }
  // Now even the right password is refused, in the same words (they must
  // not tell a locked account from a wrong password).
  await login(page, user, PASSWORD);
  await expect(page.getByRole('alert')).toContainText('用户名或密码错误');
  await expect(page).toHaveURL(/\/login/);
  // An unknown name gets the same words too.
  await login(page, 'no_such_user', PASSWORD);
  await expect(page.getByRole('alert')).toContainText('用户名或密码错误');
});

test('empty fields are reported at the fields', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('button', { name: '登 录' }).click();
  await expect(page.locator('#f-username-err')).toHaveText('请填写用户名或手机号');
  await expect(page.locator('#f-password-err')).toHaveText('请填写密码');
});
