import { test, expect, Page } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// A phone takes seconds to become interactive; a form sent before that goes
// as a plain post. Here the page's wasm never loads, so every form is such a
// post: what was typed must come back with the error, and a correction must
// not silently keep the stored value.
async function neverHydrates(page: Page) {
  await page.route('**/pkg/**', (route) => route.abort());
}

// The demo's kindergarten filing (教育局, filing 1) is submitted: changes are
// corrections that need a reason. Each project uses its own price.
const price: Record<string, string> = { desktop: '12680000', phone: '12690000' };

test('a correction sent before the page is interactive keeps what was typed', async ({ page }) => {
  const mine = price[test.info().project.name];
  await loggedIn(page, 'jiaoyu');
  await neverHydrates(page);
  await page.goto('/filings/1');
  const form = page.locator('form', { has: page.getByLabel('合同价（元）') });
  await form.getByLabel('合同价（元）').fill(mine);
  await form.getByLabel('备注').fill('按补充协议调整');
  await form.getByRole('button', { name: '保存更正' }).click();
  // Refused for the missing reason: the message at the field, the typed values kept.
  await expect(page).toHaveURL(/__err=/);
  await expect(form.locator('#f-reason-err')).toContainText('请填写更正原因');
  await expect(form.getByLabel('合同价（元）')).toHaveValue(mine);
  await expect(form.getByLabel('备注')).toHaveValue('按补充协议调整');
  // With the reason the correction lands with the typed price, not the stored one.
  await form.getByLabel('更正原因').fill('补充协议第 2 号');
  await form.getByRole('button', { name: '保存更正' }).click();
  await expect(page).toHaveURL(/saved=1/);
  await expect(form.getByLabel('合同价（元）')).toHaveValue(`${mine}.00`);
  // Saving the same again changes nothing and is refused as such.
  await form.getByLabel('更正原因').fill('再次保存');
  await form.getByRole('button', { name: '保存更正' }).click();
  await expect(page.getByRole('alert').first()).toContainText('没有修改');
  await expect(form.getByLabel('合同价（元）')).toHaveValue(`${mine}.00`);
});

test('a roster entry sent before the page is interactive keeps what was typed', async ({ page }) => {
  const mobile = test.info().project.name === 'desktop' ? '13957700101' : '13957700102';
  await loggedIn(page, 'jiaoyu');
  await neverHydrates(page);
  await page.goto('/filings/1');
  const roster = page.locator('#roster');
  await roster.getByLabel('岗位').selectOption('safety_officer');
  await roster.getByLabel('姓名').fill('孙安全');
  await roster.getByLabel('身份证号').fill('330326198001011230');
  await roster.getByLabel('手机号').fill(mobile);
  await roster.getByRole('button', { name: '添加' }).click();
  await expect(roster.locator('#f-id_number-err')).toContainText('校验位');
  await expect(roster.getByLabel('岗位')).toHaveValue('safety_officer');
  await expect(roster.getByLabel('姓名')).toHaveValue('孙安全');
  await expect(roster.getByLabel('手机号')).toHaveValue(mobile);
  // The contract form above kept its stored values: only the posted form is refilled.
  await expect(page.getByLabel('合同编号')).toHaveValue('PYJY-2025-0203');
});

test('a supervisor opening an administrator page sees only the refusal', async ({ page }) => {
  await loggedIn(page, 'zjj');
  for (const url of ['/admin/units', '/admin/users', '/admin/units/new', '/awards/import', '/admin/api-tokens', '/admin/audit']) {
    const r = await page.goto(url);
    expect(r?.status(), url).toBe(403);
    await expect(page.getByText('无权访问').first()).toBeVisible();
    await expect(page.getByText('无权访问')).toHaveCount(1);
    // No tools of the page: no form in the content, no 新增 or export link.
    await expect(page.locator('main form')).toHaveCount(0);
    await expect(page.getByRole('link', { name: /新增/ })).toHaveCount(0);
    await expect(page.getByRole('link', { name: '导出 Excel' })).toHaveCount(0);
  }
});

test('the home page shows what waits, with links to it', async ({ page }) => {
  await loggedIn(page, 'chengjian');
  const waiting = page.getByRole('region', { name: '待办' });
  await expect(waiting).toBeVisible();
  await expect(waiting.getByRole('link', { name: /待备案/ })).toBeVisible();
  await waiting.getByRole('link', { name: /待备案/ }).click();
  await expect(page).toHaveURL(/\/filings$/);
  await hydrated(page, 'FilingsPage');
});

test('every list exports what it shows to Excel', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/filings?status=submitted');
  await hydrated(page, 'FilingsPage');
  const link = page.getByRole('link', { name: '导出 Excel' });
  await expect(link).toHaveAttribute('href', '/export/filings.xlsx?status=submitted');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^合同备案-\d{8}\.xlsx$/);
});

test('a first password must be changed before any page, also inside the app', async ({ page, browser }) => {
  // The security administrator opens an account with a first password.
  const admin = await (await browser.newContext()).newPage();
  await loggedIn(admin, 'anquan');
  const username = `first_${test.info().project.name}`;
  const units = await (await admin.request.post('/api/units/options')).json();
  const owner = units.find((u: { name: string }) => u.name === '平阳县教育局');
  const created = await admin.request.post('/api/users/create', {
    form: {
      username, display_name: '新同事', mobile: test.info().project.name === 'desktop' ? '13957700201' : '13957700202',
      role: 'owner', unit_id: String(owner.id), password: 'Chushi#2026x',
    },
  });
  expect(created.status()).toBeLessThan(400);
  await admin.context().close();

  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('用户名或手机号').fill(username);
  await page.getByLabel('密码').fill('Chushi#2026x');
  await page.getByRole('button', { name: '登 录' }).click();
  await expect(page).toHaveURL(/\/account\/password\?first=1$/);
  await expect(page.getByRole('status')).toContainText('初始密码');
  // Going elsewhere inside the app comes back to the form.
  await hydrated(page, 'ChangePasswordPage');
  // A link inside the app (client-side navigation, no page load).
  await page.evaluate(() => (document.querySelector('a.brand') as HTMLAnchorElement).click());
  await expect(page).toHaveURL(/\/account\/password\?first=1$/);
  await expect(page.getByLabel('当前密码')).toBeVisible();
  // Once changed, the home page stays.
  await page.locator('#f-current').fill('Chushi#2026x');
  await page.locator('#f-new').fill('Xin#Mima2026a');
  await page.locator('#f-confirm').fill('Xin#Mima2026a');
  await page.getByRole('button', { name: '保存新密码' }).click();
  await expect(page).toHaveURL(/password_changed=1/);
  await expect(page.getByRole('status').filter({ hasText: '密码已修改' })).toBeVisible();
  await page.waitForTimeout(500);
  await expect(page).toHaveURL(/password_changed=1/);
});
