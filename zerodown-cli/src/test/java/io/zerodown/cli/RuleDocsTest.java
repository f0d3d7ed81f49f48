package io.zerodown.cli;

import io.zerodown.api.RuleInfo;
import io.zerodown.api.Runner;
import io.zerodown.api.Target;
import io.zerodown.core.config.ZerodownConfig;
import io.zerodown.core.lint.LintEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rule a target can report has its page under docs/rules/, listed in the index. */
class RuleDocsTest {

    @ParameterizedTest
    @ValueSource(strings = {"postgres:18", "mysql:8.0.35", "mariadb:11.4"})
    void everyRuleHasAPage(String target) throws Exception {
        Path docs = Path.of("..", "docs", "rules");
        String index = Files.readString(docs.resolve("README.md"));
        for (RuleInfo info : new LintEngine(Target.parse(target), Runner.PLAIN, ZerodownConfig.empty()).catalogue().values()) {
            Path page = docs.resolve(info.id() + ".md");
            assertThat(page).as("page for %s", info.id()).exists();
            String text = Files.readString(page);
            assertThat(text).as(info.id()).startsWith("# " + info.id()).contains("Bad").contains("Good");
            assertThat(index).as("index lists %s", info.id()).contains(info.id());
        }
    }
}
