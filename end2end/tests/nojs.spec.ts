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

test('a form refused without JavaScript comes back with what was typed', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名或手机号').fill('admin');
  await page.getByLabel('密码').fill('nope');
  await page.getByRole('button', { name: '登 录' }).click();
  // The login name survives a refusal (the password never does).
  await expect(page.getByLabel('用户名或手机号')).toHaveValue('admin');
  await expect(page.getByLabel('密码')).toHaveValue('');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登 录' }).click();
  await expect(page).toHaveURL(/\/$/);

  await page.goto('/admin/units/new');
  await page.getByLabel('单位名称').fill('平阳县水头镇人民政府');
  await page.getByLabel('统一社会信用代码').fill('113303260020000001');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('#f-credit_code-err')).toContainText('校验位');
  await expect(page.getByLabel('单位名称')).toHaveValue('平阳县水头镇人民政府');
  await expect(page.getByLabel('统一社会信用代码')).toHaveValue('113303260020000001');
  // The next page shows the stored values again (the typed ones are kept once).
  await page.goto('/admin/units/new');
  await expect(page.getByLabel('单位名称')).toHaveValue('');
});

test('a payment is recorded, documented and submitted without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名或手机号').fill('jiaoyu');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登 录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/payments/new?filing_id=1');
  await page.getByLabel('拨付类型').selectOption({ label: '其他' });
  await page.getByLabel('拨付日期').fill('2026-11-28');
  await page.getByLabel('拨付金额（元）').fill('-3000');
  await page.getByLabel('凭证号').fill('NOJS-ZF-01');
  await page.getByRole('button', { name: '保存草稿' }).click();
  // Refused at the field, with what was typed kept.
  await expect(page.locator('#f-amount-err')).toContainText('大于 0');
  await expect(page.getByLabel('凭证号')).toHaveValue('NOJS-ZF-01');
  await page.getByLabel('拨付金额（元）').fill('3000');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/payments\/\d+\?done=saved/);
  // Without JavaScript each step is a page load: click only on the loaded
  // page (a click during the load was lost once).
  await page.waitForLoadState('load');
  await page.locator('#files input[name=file]').setInputFiles({
    name: '凭证.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  });
  await page.locator('#files').getByRole('button', { name: '上传' }).click();
  await expect(page).toHaveURL(/done=uploaded/);
  await page.waitForLoadState('load');
  await page.getByRole('button', { name: '提交登记' }).click();
  // Submission runs the county's alert rules before it answers (seconds
  // on this machine while the suite runs; issue 17).
  await expect(page).toHaveURL(/done=submitted/, { timeout: 20_000 });
  await expect(page.locator('.summary')).toContainText('已登记');
});
