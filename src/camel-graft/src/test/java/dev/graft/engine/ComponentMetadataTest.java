package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import java.util.List;
import java.util.Map;
import org.apache.camel.CatalogCamelContext;
import org.apache.camel.catalog.CamelCatalog;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.tooling.model.ComponentModel;
import org.junit.jupiter.api.Test;

/**
 * The component's Camel metadata, as the build generated it into the class path (ComponentMetadata in
 * process-classes), read the ways Camel tools read it: the context's JSON schema lookup and the Camel Catalog.
 */
class ComponentMetadataTest {

    private static final StepRegistry BUILT_IN = StepRegistry.discover();

    @Test
    void camelFindsTheComponentByItsSchemeAndItsSchemaHoldsEveryStepsOptions() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            String json = ((CatalogCamelContext) camel).getComponentParameterJsonSchema("graft");
            assertThat(json).as("META-INF/dev/graft/engine/graft.json on the class path").isNotNull();
            Map<?, ?> model = new ObjectMapper().readValue(json, Map.class);
            Map<?, ?> component = (Map<?, ?>) model.get("component");
            assertThat(component.get("javaType")).isEqualTo(GraftComponent.class.getName());
            assertThat(component.get("syntax")).isEqualTo("graft:step");
            Map<?, ?> properties = (Map<?, ?>) model.get("properties");
            Map<?, ?> steps = (Map<?, ?>) model.get("graftSteps");
            assertThat(((Map<?, ?>) properties.get("step")).get("enum")).isEqualTo(BUILT_IN.names());
            for (Step step : BUILT_IN.steps()) {
                Map<?, ?> options = (Map<?, ?>) ((Map<?, ?>) steps.get(step.name())).get("options");
                assertThat(options.keySet().stream().map(Object::toString).toList()).as(step.name())
                        .containsExactlyElementsOf(step.options().stream().map(OptionSpec::name).toList());
                for (OptionSpec<?> o : step.options()) {
                    Map<?, ?> option = (Map<?, ?>) options.get(o.name());
                    assertThat(option.get("description")).isEqualTo(o.doc());
                    assertThat(option.get("defaultValue")).isEqualTo(o.defaultText());
                    assertThat(((Map<?, ?>) properties.get(o.name())).get("label").toString().split(","))
                            .as("the endpoint parameter '%s' names the step %s", o.name(), step.name())
                            .contains(step.name());
                }
            }
            // the component Camel resolves from the scheme is the no-argument one, which found the steps itself
            camel.start();
            GraftComponent resolved = camel.getComponent("graft", GraftComponent.class);
            assertThat(resolved.registry().names()).containsAll(BUILT_IN.names());
        }
    }

    @Test
    void theCamelCatalogListsEveryBuiltInStepWithItsOptions() throws Exception {
        CamelCatalog catalog = new DefaultCamelCatalog();
        String json = new String(ComponentMetadataTest.class.getClassLoader()
                .getResourceAsStream(ComponentMetadata.RESOURCE).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        catalog.addComponent("graft", GraftComponent.class.getName(), json);

        assertThat(catalog.findComponentNames()).contains("graft");
        ComponentModel model = catalog.componentModel("graft");
        assertThat(model.getScheme()).isEqualTo("graft");
        assertThat(model.isProducerOnly()).isTrue();
        ComponentModel.EndpointOptionModel path = model.getEndpointOptions().stream()
                .filter(o -> o.getKind().equals("path")).findFirst().orElseThrow();
        assertThat(path.getName()).isEqualTo("step");
        assertThat(path.getEnums()).containsExactlyElementsOf(BUILT_IN.names());
        Map<String, ComponentModel.EndpointOptionModel> byName = new java.util.HashMap<>();
        model.getEndpointOptions().forEach(o -> byName.put(o.getName(), o));
        for (Step step : BUILT_IN.steps()) {
            for (OptionSpec<?> o : step.options()) {
                ComponentModel.EndpointOptionModel option = byName.get(o.name());
                assertThat(option).as("%s's option %s in the catalog", step.name(), o.name()).isNotNull();
                assertThat(List.of(option.getLabel().split(","))).contains(step.name());
                assertThat(option.getDescription()).contains(o.doc());
            }
        }
        assertThat(byName.get("epochs").getType()).isEqualTo("integer");
        assertThat(byName.get("learningRate").getType()).isEqualTo("number");

        // the catalog checks a route's graft: URI against the generated options
        EndpointValidationResult good = catalog.validateEndpointProperties("graft:train?epochs=5&learningRate=1e-3");
        assertThat(good.isSuccess()).as(good.summaryErrorMessage(false)).isTrue();
        EndpointValidationResult typo = catalog.validateEndpointProperties("graft:train?epoch=5");
        assertThat(typo.isSuccess()).isFalse();
        assertThat(typo.getUnknown()).containsExactly("epoch");
        EndpointValidationResult badNumber = catalog.validateEndpointProperties("graft:train?epochs=five");
        assertThat(badNumber.getInvalidInteger()).containsKey("epochs");
    }
}
