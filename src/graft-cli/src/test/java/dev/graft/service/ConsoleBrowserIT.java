package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.registry.ModelRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless chromium through chromedriver, paths given explicitly):
 * after two retraining runs, models → version → report, a comparison of the two versions, and a promotion with
 * the token that moves the alias. Saves a screenshot of each page into {@code docs/} (graft.screenshots).
 * Skipped when chromium or chromedriver is missing.
 */
class ConsoleBrowserIT {

    private static final String TOKEN = "console-token";
    private static final Path CHROMIUM = Path.of(System.getProperty("graft.chromium", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getProperty("graft.chromedriver", "/usr/bin/chromedriver"));

    @TempDir
    Path dir;

    @Test
    void followsModelsVersionReportComparesAndPromotesWithTheToken() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "needs " + CHROMIUM + " and " + DRIVER + " (apt-get install chromium chromium-driver)");
        Path shots = Files.createDirectories(Path.of(System.getProperty("graft.screenshots", "docs")));
        Path registry = dir.resolve("registry");
        try (GraftService service = ServeFixtures.withTwoVersions(dir, TOKEN, 3, 200, 7, Duration.ofSeconds(90))) {
            new ModelRegistry(registry).tag("toy", 2, List.of("nightly", "csv"), List.of());
            new ModelRegistry(registry).describe("toy", 2, "retrained on Tuesday's <drop>");
            String base = "http://127.0.0.1:" + service.address().getPort();
            WebDriver browser = browser();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                browser.get(base + "/");
                assertThat(browser.getTitle()).startsWith("Models");
                shot(browser, shots, "console-models.png");

                browser.findElement(By.linkText("toy")).click();
                wait.until(ExpectedConditions.titleContains("toy"));
                assertThat(browser.findElements(By.cssSelector("#versions tbody tr"))).hasSize(2);
                assertThat(browser.findElement(By.id("versions")).getText()).contains("retrained on Tuesday's <drop>");
                shot(browser, shots, "console-model.png");

                browser.findElement(By.linkText("v1")).click();
                wait.until(ExpectedConditions.titleContains("toy v1"));
                assertThat(browser.findElement(By.tagName("main")).getText()).contains("Metrics", "Lineage",
                        "PASSED");
                shot(browser, shots, "console-version.png");

                browser.findElement(By.linkText("report.html")).click();
                wait.until(d -> d.getCurrentUrl().endsWith("/report.html"));
                assertThat(browser.getPageSource()).contains("<svg");
                shot(browser, shots, "console-report.png");

                browser.get(base + "/ui/models/toy");
                for (WebElement box : browser.findElements(By.name("v"))) {
                    box.click();
                }
                browser.findElement(By.id("compare")).click();
                wait.until(ExpectedConditions.titleContains("Compare toy"));
                assertThat(browser.findElement(By.id("metrics")).getText()).contains("v1", "v2", "accuracy");
                assertThat(browser.findElements(By.cssSelector(".charts svg")).size()).isGreaterThanOrEqualTo(3);
                shot(browser, shots, "console-compare.png");

                int champion = new ModelRegistry(registry).aliases("toy").get("champion");
                int other = champion == 1 ? 2 : 1;
                browser.get(base + "/ui/models/toy/versions/" + other);
                WebElement promote = browser.findElement(By.xpath("//button[text()='Promote']"));
                promote.click(); // no token yet: refused
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result"), "refused (401)"));
                assertThat(new ModelRegistry(registry).aliases("toy").get("champion")).isEqualTo(champion);
                browser.findElement(By.id("token")).sendKeys(TOKEN);
                browser.findElement(By.xpath("//button[text()='Promote']")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result"), "Promote: done"));
                await("the alias moved", Duration.ofSeconds(5),
                        () -> new ModelRegistry(registry).aliases("toy").get("champion") == other);
                // the page reloads itself after the change: its aliases row then names the champion
                wait.until(ExpectedConditions.textToBePresentInElementLocated(
                        By.xpath("//th[text()='aliases']/following-sibling::td"), "champion"));
                shot(browser, shots, "console-promoted.png");

                browser.get(base + "/ui/runs");
                assertThat(browser.findElements(By.cssSelector("#runs tbody tr"))).hasSize(2);
                shot(browser, shots, "console-runs.png");
            } finally {
                browser.quit();
            }
        }
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
        return driver;
    }

    private static void shot(WebDriver browser, Path dir, String name) throws Exception {
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        Files.write(dir.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
