import { test, expect } from '@playwright/test';
import { creditCode, hydrated, loggedIn } from './helpers';

test('an administrator creates a unit: wrong credit code first, then a right one', async ({ page }) => {
  await loggedIn(page, 'admin');
  await page.goto('/admin/units/new');
  await hydrated(page, 'UnitNewPage');
  const name = `平阳县测试建设单位${test.info().project.name === 'phone' ? '乙' : '甲'}${Date.now() % 100000}`;
  await page.getByLabel('单位类型').selectOption('owner');
  await page.getByLabel('单位名称').fill(name);
  const good = creditCode();
  const bad = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
  await page.getByLabel('统一社会信用代码').fill(bad);
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('#f-credit_code-err')).toHaveText('统一社会信用代码校验位不正确，请核对');
  await expect(page.getByLabel('统一社会信用代码')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('统一社会信用代码').fill(good);
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/admin\/units\/\d+\?saved=1$/);
  await expect(page.getByRole('status')).toHaveText('已保存');
  const history = page.getByRole('region', { name: '变更记录' });
  await expect(history).toContainText('新增');
  await expect(history).toContainText(good);

  await page.goto(`/admin/units?q=${encodeURIComponent(name)}`);
  await expect(page.locator('.data-table')).toContainText(good);
});

test('bad names are refused at the field', async ({ page }) => {
  await loggedIn(page, 'admin');
  await page.goto('/admin/units/new');
  await hydrated(page, 'UnitNewPage');
  for (const bad of ['😀建设局', '<script>alert(1)</script>']) {
    await page.getByLabel('单位名称').fill(bad);
    await page.getByLabel('统一社会信用代码').fill(creditCode());
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.locator('#f-name-err')).toContainText('不允许的字符');
  }
  await expect(page).toHaveURL(/\/admin\/units\/new$/);
});
