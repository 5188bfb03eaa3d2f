import { test, expect } from '@playwright/test';
import { PASSWORD } from './helpers';

// Runs with JavaScript disabled: plain HTML forms and server redirects.
test('the login form works without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名或手机号').fill('admin');
  await page.getByLabel('密码').fill('nope');
  await page.getByRole('button', { name: '登 录' }).click();
  await expect(page.getByRole('alert')).toContainText('用户名或密码错误');

  await page.getByLabel('用户名或手机号').fill('zgb');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登 录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: '您好，林晓燕' })).toBeVisible();
});

test('pages need a login without JavaScript too', async ({ page }) => {
  await page.goto('/admin/units');
  await expect(page).toHaveURL(/\/login$/);
});
